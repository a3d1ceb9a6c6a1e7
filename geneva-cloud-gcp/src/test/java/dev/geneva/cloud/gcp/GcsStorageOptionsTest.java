package dev.geneva.cloud.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import dev.geneva.ConnectOptions;
import dev.geneva.GenevaException;
import dev.geneva.InvalidInputException;
import dev.geneva.StorageOptionsProvider;
import dev.geneva.cloud.gcp.testing.FakeGoogle;
import dev.geneva.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GcsStorageOptionsTest {

  @Test
  void applicationDefault_whenCalled_isEmptySoObjectStoreFindsCredentials() {
    assertThat(GcsStorageOptions.applicationDefault()).isEmpty();
  }

  @Test
  void serviceAccountKeyFile_whenFileExists_setsGoogleServiceAccountToAbsolutePath(
      @TempDir Path dir) throws Exception {
    Path key = Files.writeString(dir.resolve("sa.json"), "{}");

    assertThat(GcsStorageOptions.serviceAccountKeyFile(key))
        .containsExactly(Map.entry("google_service_account", key.toAbsolutePath().toString()));
  }

  @Test
  void serviceAccountKeyFile_whenMissing_namesPath(@TempDir Path dir) {
    Path missing = dir.resolve("nope.json");

    assertThatThrownBy(() -> GcsStorageOptions.serviceAccountKeyFile(missing))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("does not exist");
  }

  @Test
  void serviceAccountKey_whenNotAKey_rejectsWithoutQuotingIt() {
    assertThatThrownBy(() -> GcsStorageOptions.serviceAccountKey("{\"secret-ish\":\"value-xyz\"}"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("client_email")
        .hasMessageNotContaining("value-xyz");
  }

  @Test
  void serviceAccountKey_whenKey_isHiddenByConnectOptionsToString() {
    String json =
        "{\"client_email\":\"a@p.iam.gserviceaccount.com\",\"private_key\":\"PRIVATE-xyz\"}";

    ConnectOptions options =
        ConnectOptions.builder().storageOptions(GcsStorageOptions.serviceAccountKey(json)).build();

    assertThat(options.storageOptions()).containsEntry("google_service_account_key", json);
    assertThat(options.toString()).contains("google_service_account_key").doesNotContain("PRIVATE");
  }

  @Test
  void applicationCredentialsFile_whenFileExists_setsGoogleApplicationCredentials(@TempDir Path dir)
      throws Exception {
    Path file = Files.writeString(dir.resolve("adc.json"), "{}");

    assertThat(GcsStorageOptions.applicationCredentialsFile(file))
        .containsExactly(
            Map.entry("google_application_credentials", file.toAbsolutePath().toString()));
  }

  @Test
  void accessToken_whenCredentialsWork_setsGoogleStorageTokenFromTokenEndpoint() throws Exception {
    try (FakeGoogle google = new FakeGoogle()) {
      Map<String, String> options = GcsStorageOptions.accessToken(google.credentials());

      assertThat(options)
          .containsExactly(Map.entry("google_storage_token", google.issuedTokens().get(0)));
    }
  }

  @Test
  void accessToken_whenCredentialsHoldFixedToken_usesThatToken() {
    GoogleCredentials fixed =
        GoogleCredentials.create(
            new AccessToken("ya29.fixed-token", Date.from(Instant.now().plusSeconds(3600))));

    assertThat(GcsStorageOptions.accessToken(fixed))
        .containsExactly(Map.entry("google_storage_token", "ya29.fixed-token"));
  }

  @Test
  void accessToken_whenFixedTokenExpired_failsSayingItCannotRefreshWithoutShowingIt() {
    GoogleCredentials expired =
        GoogleCredentials.create(
            new AccessToken("ya29.old-token", Date.from(Instant.now().minusSeconds(60))));

    assertThatThrownBy(() -> GcsStorageOptions.accessToken(expired))
        .isInstanceOf(GenevaException.class)
        .hasMessageContaining("GoogleCredentials.create(token) expired")
        .hasMessageContaining("cannot be refreshed")
        .hasMessageNotContaining("ya29.old-token");
  }

  @Test
  void accessTokenProvider_whenTokenNearsExpiry_resolvesNextTokenAndHidesIt() throws Exception {
    try (FakeGoogle google = new FakeGoogle()) {
      MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
      StorageOptionsProvider provider =
          GcsStorageOptions.accessTokenProvider(google.credentials(), clock);

      Map<String, String> first = provider.resolveStorageOptions();
      clock.advance(Duration.ofMinutes(44));
      Map<String, String> stillFirst = provider.resolveStorageOptions();
      clock.advance(Duration.ofMinutes(2));
      Map<String, String> second = provider.resolveStorageOptions();

      assertThat(first)
          .containsExactly(Map.entry("google_storage_token", google.issuedTokens().get(0)));
      assertThat(stillFirst).isEqualTo(first);
      assertThat(second)
          .containsExactly(Map.entry("google_storage_token", google.issuedTokens().get(1)));
      assertThat(google.tokenRequests()).isEqualTo(2);
      assertThat(second.toString() + provider).doesNotContain(google.issuedTokens().get(1));
    }
  }
}
