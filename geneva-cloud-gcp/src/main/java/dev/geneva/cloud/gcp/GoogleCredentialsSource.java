package dev.geneva.cloud.gcp;

import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where {@link GkeAuth} and {@link GcsWriteCheck} get Google credentials. Looked up when they are
 * first needed, not when the builder is built, so building never touches the machine's files or the
 * metadata server; tests inject a source instead of depending on the machine.
 */
@FunctionalInterface
public interface GoogleCredentialsSource {

  /**
   * Loads the credentials.
   *
   * @return the credentials, never null
   * @throws IOException when there are none or they cannot be read
   */
  GoogleCredentials load() throws IOException;

  /**
   * Google's application-default credentials: {@code GOOGLE_APPLICATION_CREDENTIALS}, the gcloud
   * application-default file, or the metadata server (on GKE with workload identity: the Google
   * service account bound to the pod's Kubernetes service account).
   *
   * @return the source
   */
  static GoogleCredentialsSource applicationDefault() {
    return new GoogleCredentialsSource() {
      @Override
      public GoogleCredentials load() throws IOException {
        return GoogleCredentials.getApplicationDefault();
      }

      @Override
      public String toString() {
        return "application-default credentials";
      }
    };
  }

  /**
   * Fixed credentials the caller built.
   *
   * @param credentials the credentials
   * @return the source
   */
  static GoogleCredentialsSource of(GoogleCredentials credentials) {
    Objects.requireNonNull(credentials, "credentials");
    return new GoogleCredentialsSource() {
      @Override
      public GoogleCredentials load() {
        return credentials;
      }

      @Override
      public String toString() {
        return "given " + credentials.getClass().getSimpleName();
      }
    };
  }

  /**
   * A service-account key file (JSON, as downloaded from IAM). Prefer workload identity on GKE: key
   * files are long-lived secrets.
   *
   * @param keyFile the key file
   * @return the source
   */
  static GoogleCredentialsSource serviceAccountKeyFile(Path keyFile) {
    Objects.requireNonNull(keyFile, "keyFile");
    return new GoogleCredentialsSource() {
      @Override
      public GoogleCredentials load() throws IOException {
        try (InputStream in = Files.newInputStream(keyFile)) {
          return ServiceAccountCredentials.fromStream(in);
        }
      }

      @Override
      public String toString() {
        return "service-account key file " + keyFile;
      }
    };
  }
}
