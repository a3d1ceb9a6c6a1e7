package dev.geneva.cloud.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.cloud.gcp.internal.Redact;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class RedactTest {

  @Test
  void secrets_whenTextHasTokensJwtsAndKeys_replacesThem() {
    String text =
        "Authorization: Bearer abc.DEF-123 then ya29.a0AfH6SMB-xyz and eyJhbGciOi.eyJzdWIi.c2ln"
            + " and {\"access_token\":\"opaque-1\",\"private_key\":\"-----BEGIN PRIVATE KEY-----\\nMII"
            + "\\n-----END PRIVATE KEY-----\\n\"}";

    String out = Redact.secrets(text);

    assertThat(out)
        .doesNotContain("abc.DEF-123")
        .doesNotContain("ya29.a0")
        .doesNotContain("eyJhbGciOi")
        .doesNotContain("opaque-1")
        .doesNotContain("MII")
        .contains("Bearer <redacted>")
        .contains("\"access_token\":\"<redacted>");
  }

  @Test
  void describe_whenExceptionCarriesToken_keepsTypeDropsToken() {
    String out = Redact.describe(new IOException("failed with ya29.secret-token\nsecond line"));

    assertThat(out).isEqualTo("IOException: failed with <redacted>");
  }
}
