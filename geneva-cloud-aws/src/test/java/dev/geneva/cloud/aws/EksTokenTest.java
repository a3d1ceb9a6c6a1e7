package dev.geneva.cloud.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.cloud.aws.internal.EksTokenGenerator;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

class EksTokenTest {
  private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
  private static final AwsBasicCredentials BASIC =
      AwsBasicCredentials.create("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  private final EksTokenGenerator generator = new EksTokenGenerator("geneva", "us-east-1");

  static String decode(String token) {
    assertThat(token).startsWith("k8s-aws-v1.");
    String payload = token.substring("k8s-aws-v1.".length());
    assertThat(payload).doesNotContain("=", "+", "/");
    return new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8);
  }

  static Map<String, String> query(String url) {
    Map<String, String> q = new LinkedHashMap<>();
    for (String pair : URI.create(url).getRawQuery().split("&")) {
      int eq = pair.indexOf('=');
      q.put(
          pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return q;
  }

  @Test
  void token_whenClockAndCredentialsFixed_isStableAndPresignsGetCallerIdentity() {
    String token = generator.token(BASIC, NOW);

    assertThat(generator.token(BASIC, NOW)).isEqualTo(token);
    String url = decode(token);
    assertThat(url)
        .startsWith("https://sts.us-east-1.amazonaws.com/?")
        .contains("Action=GetCallerIdentity", "Version=2011-06-15");
    Map<String, String> q = query(url);
    assertThat(q)
        .containsEntry("X-Amz-Expires", "60")
        .containsEntry("X-Amz-SignedHeaders", "host;x-k8s-aws-id")
        .containsEntry("X-Amz-Algorithm", "AWS4-HMAC-SHA256")
        .containsEntry("X-Amz-Date", "20260102T030405Z")
        .containsEntry("X-Amz-Credential", "AKIDEXAMPLE/20260102/us-east-1/sts/aws4_request")
        .doesNotContainKey("X-Amz-Security-Token");
    assertThat(q.get("X-Amz-Signature")).matches("[0-9a-f]{64}");
  }

  @Test
  void token_whenSigned_signatureMatchesIndependentSigV4Computation() throws Exception {
    Map<String, String> q = query(decode(generator.token(BASIC, NOW)));

    assertThat(q.get("X-Amz-Signature")).isEqualTo(referenceSignature(q, BASIC.secretAccessKey()));
  }

  @Test
  void token_whenSessionCredentials_addsSecurityTokenToSignedQuery() throws Exception {
    AwsSessionCredentials session =
        AwsSessionCredentials.create("ASIAEXAMPLE", "secret-example", "session-token-example");

    Map<String, String> q = query(decode(generator.token(session, NOW)));

    assertThat(q)
        .containsEntry("X-Amz-Security-Token", "session-token-example")
        .containsEntry("X-Amz-SignedHeaders", "host;x-k8s-aws-id");
    assertThat(q.get("X-Amz-Signature")).isEqualTo(referenceSignature(q, "secret-example"));
  }

  @Test
  void token_whenClusterDiffers_signatureDiffers() {
    String other = new EksTokenGenerator("other", "us-east-1").token(BASIC, NOW);

    assertThat(other).isNotEqualTo(generator.token(BASIC, NOW));
  }

  @Test
  void stsHost_whenChinaRegion_usesChinaDomain() {
    assertThat(EksTokenGenerator.stsHost("cn-north-1"))
        .isEqualTo("sts.cn-north-1.amazonaws.com.cn");
    assertThat(EksTokenGenerator.stsHost("eu-west-2")).isEqualTo("sts.eu-west-2.amazonaws.com");
  }

  /** SigV4 query-string signing by hand, as aws-iam-authenticator's STS would check it. */
  private static String referenceSignature(Map<String, String> q, String secret) throws Exception {
    TreeMap<String, String> signedQuery = new TreeMap<>(q);
    signedQuery.remove("X-Amz-Signature");
    StringBuilder canonicalQuery = new StringBuilder();
    signedQuery.forEach(
        (k, v) ->
            canonicalQuery
                .append(canonicalQuery.length() == 0 ? "" : "&")
                .append(encode(k))
                .append('=')
                .append(encode(v)));
    String canonicalRequest =
        "GET\n/\n"
            + canonicalQuery
            + "\nhost:sts.us-east-1.amazonaws.com\nx-k8s-aws-id:geneva\n\nhost;x-k8s-aws-id\n"
            + hex(MessageDigest.getInstance("SHA-256").digest(new byte[0]));
    String date = q.get("X-Amz-Date");
    String scope = date.substring(0, 8) + "/us-east-1/sts/aws4_request";
    String toSign =
        "AWS4-HMAC-SHA256\n"
            + date
            + "\n"
            + scope
            + "\n"
            + hex(
                MessageDigest.getInstance("SHA-256")
                    .digest(canonicalRequest.getBytes(StandardCharsets.UTF_8)));
    byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date.substring(0, 8));
    key = hmac(key, "us-east-1");
    key = hmac(key, "sts");
    key = hmac(key, "aws4_request");
    return hex(hmac(key, toSign));
  }

  private static String encode(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8)
        .replace("+", "%20")
        .replace("*", "%2A")
        .replace("%7E", "~");
  }

  private static byte[] hmac(byte[] key, String data) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
