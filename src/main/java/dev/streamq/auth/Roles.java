package dev.streamq.auth;

import java.util.Set;

/**
 * The roles a caller's token may carry (the JWT {@code groups} claim). A producer submits and
 * reads jobs; a reader reads jobs, queues and dead letters; an operator does all of that and
 * redrives dead jobs.
 */
public final class Roles {

    public static final String PRODUCER = "producer";
    public static final String READER = "reader";
    public static final String OPERATOR = "operator";
    static final Set<String> ALL = Set.of(PRODUCER, READER, OPERATOR);

    private Roles() {
    }
}
