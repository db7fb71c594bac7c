package dev.streamq.core;

import dev.streamq.lab.RedisNode;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * SIGSTOP of the test's redis-server by its PID, SIGCONT on close: the process keeps its
 * sockets open but answers nothing, as a hung or swapped-out server does.
 */
final class StoppedRedis implements AutoCloseable {

    private final RedisNode node;

    private StoppedRedis(RedisNode node) {
        this.node = node;
        signal("-STOP");
    }

    static StoppedRedis stop(RedisNode node) {
        return new StoppedRedis(node);
    }

    @Override
    public void close() {
        signal("-CONT");
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(node.pid())).inheritIO().start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill " + signal + " " + node.pid() + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
