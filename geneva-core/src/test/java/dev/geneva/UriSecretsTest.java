package dev.geneva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.internal.lance.UriRedaction;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Credentials written into a database URI (user info, query values such as an Azure SAS {@code
 * sig}) never appear in {@code toString()}, exception messages or log lines.
 */
class UriSecretsTest {
  @Test
  void redact_whenUriHasUserInfoOrQueryValues_masksThemAndKeepsTheRest() {
    assertThat(UriRedaction.redact("s3://AKIAUSER:PASSSECRET@bucket/db"))
        .isEqualTo("s3://***@bucket/db");
    assertThat(UriRedaction.redact("az://c/db?sv=2020-08-04&sig=SASSECRET"))
        .isEqualTo("az://c/db?sv=***&sig=***");
    assertThat(UriRedaction.redact("/data/db")).isEqualTo("/data/db");
    assertThat(UriRedaction.redact("gs://bucket/db")).isEqualTo("gs://bucket/db");
    assertThat(
            UriRedaction.scrub(
                "error sending request for PASSSECRET and sig=SAS%2FSECRET and SAS/SECRET",
                "az://AKIAUSER:PASSSECRET@c/db?sig=SAS%2FSECRET"))
        .doesNotContain("PASSSECRET", "SAS%2FSECRET", "SAS/SECRET")
        .contains("error sending request for ***");
  }

  @Test
  void toString_whenUriCarriesCredentials_showsThemMasked() {
    try (Connection s3 = Geneva.connect("s3://AKIAUSER:PASSSECRET@bucket/db");
        Connection az = Geneva.connect("az://container/db?sv=2020-08-04&sig=SASSECRET")) {
      assertThat(s3.toString()).contains("s3://***@bucket/db").doesNotContain("PASSSECRET");
      assertThat(s3.toString()).doesNotContain("AKIAUSER");
      assertThat(az.toString())
          .contains("az://container/db?sv=***&sig=***")
          .doesNotContain("SASSECRET");
      assertThat(s3.location("t").toString()).contains("s3://***@bucket/db/t.lance");
    }
  }

  @Test
  void openTable_whenUriCarriesASignatureAndFails_messageHasNoSecret() {
    try (Connection az = Geneva.connect("az://container/db?sv=2020-08-04&sig=SASSECRET")) {
      assertThatThrownBy(() -> az.openTable("t"))
          .isInstanceOf(GenevaException.class)
          .hasMessageContaining("az://container/db?sv=***&sig=***")
          .hasMessageContaining("Check the storage options given to Geneva.connect")
          .hasMessageNotContaining("SASSECRET");
    }
  }

  @Test
  void connect_whenMalformedUriCarriesCredentials_messageHasNoSecret() {
    assertThatThrownBy(() -> Geneva.connect("s3a://AKIAUSER:PASSSECRET@bucket/db"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("'s3a://***@bucket/db'")
        .hasMessageContaining("'s3' scheme, not 's3a'")
        .hasMessageNotContaining("PASSSECRET");
  }

  @Test
  void executor_whenConnectionLogsItsUri_logLineHasNoSecret() {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (Connection az = Geneva.connect("az://container/db?sv=2020-08-04&sig=SASSECRET")) {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      try {
        az.executor(BackfillOptions.defaults());
      } finally {
        System.setErr(original);
      }
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    assertThat(log)
        .contains("backfills on az://container/db?sv=***&sig=*** run on executor")
        .doesNotContain("SASSECRET");
  }
}
