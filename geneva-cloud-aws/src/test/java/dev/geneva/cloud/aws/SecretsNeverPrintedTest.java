package dev.geneva.cloud.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.geneva.testing.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs successes and failures with Geneva's loggers at DEBUG (slf4j-simple writes to System.err,
 * captured here) and checks no key, secret or token shows in a log line, a message or toString.
 */
class SecretsNeverPrintedTest {
  static final String BASE_KEY = "AKIABASEKEYLEAK";
  static final String BASE_SECRET = "base-secret-must-not-leak";
  FakeAws aws;
  MutableClock clock;
  PrintStream originalErr;
  ByteArrayOutputStream captured;

  @BeforeEach
  void start() throws Exception {
    aws = new FakeAws();
    clock = new MutableClock(Instant.parse("2026-01-02T03:04:05Z"));
    aws.clock = clock;
    aws.cluster("geneva", "https://ABC.gr7.us-east-1.eks.amazonaws.com", "Q0EtUEVN");
    originalErr = System.err;
    captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void stop() {
    System.setErr(originalErr);
    aws.close();
  }

  EksAuth.Builder auth() {
    return aws.eksAuth(BASE_KEY, BASE_SECRET).clock(clock);
  }

  static String describe(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  @Test
  void logsMessagesAndToString_whenResolvingRefreshingAndFailing_containNoSecrets() {
    List<String> printed = new ArrayList<>();
    EksAuth auth = auth().build();
    var config = auth.resolve();
    String token = config.getOauthTokenProvider().getToken();
    clock.advance(Duration.ofMinutes(56));
    String refreshed = config.getOauthTokenProvider().getToken();
    printed.add(auth.toString());
    printed.add(config.getOauthTokenProvider().toString());
    printed.add(auth.credentialsProvider().toString());
    printed.add(
        S3StorageOptions.builder()
            .credentialsProvider(auth.credentialsProvider())
            .region("us-east-1")
            .build()
            .toMap()
            .toString());

    aws.assumeRoleErrorCode = "AccessDenied";
    printed.add(describe(catchThrowable(() -> auth().build().resolve())));
    aws.assumeRoleErrorCode = "ExpiredToken";
    printed.add(describe(catchThrowable(() -> auth().build().resolve())));
    aws.assumeRoleErrorCode = null;
    printed.add(describe(catchThrowable(() -> auth().clusterName("nope").build().resolve())));
    System.err.flush();
    String log = captured.toString(StandardCharsets.UTF_8);
    printed.add(log);

    assertThat(log).contains("Assumed IAM role arn:aws:iam::123456789012:role/geneva-client-role");
    assertThat(log).contains("Minted EKS token #2");
    for (String text : printed) {
      assertThat(text)
          .doesNotContain(
              BASE_KEY, BASE_SECRET, "fake-secret-", "fake-session-token-", "ASIAFAKEKEY")
          .doesNotContain(token, refreshed, "k8s-aws-v1.");
    }
  }
}
