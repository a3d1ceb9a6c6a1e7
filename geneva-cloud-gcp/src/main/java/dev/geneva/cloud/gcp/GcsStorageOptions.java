package dev.geneva.cloud.gcp;

import com.google.auth.oauth2.GoogleCredentials;
import dev.geneva.InvalidInputException;
import dev.geneva.StorageOptionsProvider;
import dev.geneva.cloud.gcp.internal.GoogleAccessTokens;
import dev.geneva.internal.lance.StorageOptionsMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Lance storage options for tables on Google Cloud Storage ({@code gs://} URIs), to pass to {@link
 * dev.geneva.ConnectOptions.Builder#storageOptions(Map)} or {@link dev.geneva.Geneva#connect}.
 *
 * <p>Lance hands these keys to the Rust {@code object_store} crate's {@code GoogleConfigKey}
 * (service account, key, application credentials) and reads {@link #STORAGE_TOKEN} itself; with no
 * options at all, {@code object_store} uses Google's application-default credentials ({@code
 * GOOGLE_APPLICATION_CREDENTIALS}, gcloud's application-default file, or the metadata server, i.e.
 * workload identity on GKE), which is what Ray workers on GKE should use.
 *
 * <pre>{@code
 * Geneva.connect("gs://bucket/db", GcsStorageOptions.applicationDefault());
 * Geneva.connect("gs://bucket/db", GcsStorageOptions.serviceAccountKeyFile(Path.of("sa.json")));
 * }</pre>
 *
 * <p>Values may be secrets: {@link dev.geneva.ConnectOptions#toString()} shows only the keys; do
 * not log the map.
 */
public final class GcsStorageOptions {
  /** {@code object_store}: path of a service-account key file (JSON). */
  public static final String SERVICE_ACCOUNT = "google_service_account";

  /** {@code object_store}: the service-account key itself, serialized JSON. A secret. */
  public static final String SERVICE_ACCOUNT_KEY = "google_service_account_key";

  /** {@code object_store}: path of an application-credentials file (any ADC JSON type). */
  public static final String APPLICATION_CREDENTIALS = "google_application_credentials";

  /**
   * Lance: a static OAuth bearer token. A secret, and never refreshed: it stops working when it
   * expires (an hour for Google access tokens), so use it only for short jobs.
   */
  public static final String STORAGE_TOKEN = "google_storage_token";

  private GcsStorageOptions() {}

  /**
   * No options: {@code object_store} finds application-default credentials itself (on GKE, the
   * pod's workload identity).
   *
   * @return an empty map
   */
  public static Map<String, String> applicationDefault() {
    return Map.of();
  }

  /**
   * A service-account key file, read by Lance on every JVM that opens the table (so the file must
   * exist on the Ray workers too).
   *
   * @param keyFile the key file
   * @return {@code {google_service_account: <absolute path>}}
   * @throws InvalidInputException when the file does not exist here
   */
  public static Map<String, String> serviceAccountKeyFile(Path keyFile) {
    Objects.requireNonNull(keyFile, "keyFile");
    if (!Files.isRegularFile(keyFile)) {
      throw new InvalidInputException(
          "GCS service-account key file "
              + keyFile
              + " does not exist: pass the JSON key downloaded from IAM > Service accounts >"
              + " Keys, or use applicationDefault() with workload identity");
    }
    return Map.of(SERVICE_ACCOUNT, keyFile.toAbsolutePath().toString());
  }

  /**
   * A service-account key given inline (for workers that have no file). The value is a secret.
   *
   * @param keyJson the key file's JSON content
   * @return {@code {google_service_account_key: <json>}}
   * @throws InvalidInputException when it is not a service-account key (the message does not quote
   *     it)
   */
  public static Map<String, String> serviceAccountKey(String keyJson) {
    if (keyJson == null
        || !keyJson.contains("\"private_key\"")
        || !keyJson.contains("\"client_email\"")) {
      throw new InvalidInputException(
          "GCS serviceAccountKey is not a service-account key JSON (it needs \"client_email\" and"
              + " \"private_key\"): pass the content of the key file downloaded from IAM");
    }
    return Map.of(SERVICE_ACCOUNT_KEY, keyJson);
  }

  /**
   * An application-credentials file of any type Google supports (service account, authorized user,
   * external account).
   *
   * @param file the file
   * @return {@code {google_application_credentials: <absolute path>}}
   * @throws InvalidInputException when the file does not exist here
   */
  public static Map<String, String> applicationCredentialsFile(Path file) {
    Objects.requireNonNull(file, "file");
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException(
          "GCS application-credentials file "
              + file
              + " does not exist: pass an existing file, e.g. the one `gcloud auth"
              + " application-default login` writes");
    }
    return Map.of(APPLICATION_CREDENTIALS, file.toAbsolutePath().toString());
  }

  /**
   * How long before a token expires {@link #accessTokenProvider} fetches the next one: every task
   * is handed a token that lives at least this long.
   */
  public static final Duration TOKEN_REFRESH_MARGIN = Duration.ofMinutes(15);

  /**
   * Access tokens from the credentials, fetched again {@link #TOKEN_REFRESH_MARGIN} before each
   * expires, for {@code ConnectOptions.builder().storageOptionsProvider(..)}: Geneva asks for the
   * options on every table open, commit and task, so a run longer than a token's life (about an
   * hour) keeps working. Use it where Lance cannot find the credentials itself (a JVM without
   * application-default credentials that was given impersonated or user credentials).
   *
   * @param credentials the credentials (unscoped ones are scoped to {@code cloud-platform})
   * @return a provider of {@code {google_storage_token: <token>}}; its {@code toString()} and its
   *     maps' hide the token
   */
  public static StorageOptionsProvider accessTokenProvider(GoogleCredentials credentials) {
    return accessTokenProvider(credentials, Clock.systemUTC());
  }

  static StorageOptionsProvider accessTokenProvider(GoogleCredentials credentials, Clock clock) {
    GoogleAccessTokens tokens =
        new GoogleAccessTokens(
            GoogleCredentialsSource.of(credentials),
            clock,
            TOKEN_REFRESH_MARGIN,
            "GCS storage token");
    return new StorageOptionsProvider() {
      @Override
      public Map<String, String> resolveStorageOptions() {
        return StorageOptionsMap.copyOf(Map.of(STORAGE_TOKEN, tokens.getToken()));
      }

      @Override
      public String toString() {
        return "GcsStorageOptions.accessTokenProvider";
      }
    };
  }

  /**
   * A static access token fetched now from the credentials. It is not refreshed, so it suits only
   * runs shorter than the token's life (about an hour); prefer the other factories, or {@link
   * #accessTokenProvider} for a token that is.
   *
   * @param credentials the credentials (unscoped ones are scoped to {@code cloud-platform})
   * @return {@code {google_storage_token: <token>}}
   * @throws dev.geneva.GenevaException when no token can be fetched
   */
  public static Map<String, String> accessToken(GoogleCredentials credentials) {
    GoogleAccessTokens tokens =
        new GoogleAccessTokens(
            GoogleCredentialsSource.of(credentials),
            Clock.systemUTC(),
            Duration.ZERO,
            "GCS storage token");
    return Map.of(STORAGE_TOKEN, tokens.getToken());
  }
}
