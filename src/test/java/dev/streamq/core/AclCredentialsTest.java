package dev.streamq.core;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * Redis refuses the ACL user's password (WRONGPASS, default user off): the same startup error,
 * readiness and 503s as a refused plain password (RedisCredentialsTest), naming the user info in
 * quarkus.redis.hosts.
 */
@QuarkusTest
@WithTestResource(AclPasswordRedisResource.class)
class AclCredentialsTest {

    @Test
    void wrongAclPasswordIsAStartupErrorNamingTheHostsUserInfoAndA503() {
        RedisCredentialsTest.refusedCredentials(AclPasswordRedisResource.appLog, "user and password in quarkus.redis.hosts");
    }
}
