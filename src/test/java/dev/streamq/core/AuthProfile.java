package dev.streamq.core;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** Authentication on, as in production, with the test key pair under src/test/resources/auth. */
public class AuthProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "streamq.auth.enabled", "true",
                "mp.jwt.verify.publickey.location", "auth/publicKey.pem",
                "smallrye.jwt.sign.key.location", "auth/privateKey.pem");
    }
}
