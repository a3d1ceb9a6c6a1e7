package dev.geneva.cloud.gcp;

import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.StorageOptions;
import dev.geneva.InvalidInputException;
import dev.geneva.cloud.gcp.GcsCheckReport.Step;
import dev.geneva.cloud.gcp.internal.GcsUri;
import dev.geneva.cloud.gcp.internal.GoogleAccessTokens;
import dev.geneva.cloud.gcp.internal.Redact;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;

/**
 * The deployment guide's "can the workers write to the bucket" check, in Java: writes a small probe
 * object under the table URI ({@code gs://bucket/db/_geneva/probe-<uuid>}), reads it back and
 * deletes it, with the given Google identity (by default the application-default credentials, so
 * run it in a pod with the workers' Kubernetes service account to check workload identity).
 *
 * <pre>{@code
 * GcsWriteCheck.builder().tableUri("gs://bucket/db").build().run().throwIfFailed();
 * }</pre>
 *
 * <p>Uses google-cloud-storage's JSON API over HTTP. A failure names the bucket, the principal
 * (when known locally), the missing role ({@code roles/storage.objectAdmin}) and the guide's step.
 */
public final class GcsWriteCheck {
  /** The role the deployment guide grants the workers' Google service account on the bucket. */
  public static final String REQUIRED_ROLE = "roles/storage.objectAdmin";

  private final GcsUri uri;
  private final GoogleCredentialsSource credentials;
  private final String principal;
  private final String host;
  private final String projectId;

  private GcsWriteCheck(Builder b, GcsUri uri) {
    this.uri = uri;
    this.credentials = b.credentials;
    this.principal = b.principal;
    this.host = b.host;
    this.projectId = b.projectId;
  }

  /**
   * Starts a check.
   *
   * @return a builder with application-default credentials and the public GCS endpoint
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Writes, reads and deletes the probe object. Stops at the first failing step; a probe that was
   * written but could not be deleted is named in the message.
   *
   * @return the report; {@link GcsCheckReport#throwIfFailed()} turns a failure into an exception
   * @throws dev.geneva.GenevaException when no Google credentials can be loaded
   */
  public GcsCheckReport run() {
    String subject = "GCS write check of " + uri;
    GoogleAccessTokens tokens =
        new GoogleAccessTokens(
            credentials, java.time.Clock.systemUTC(), java.time.Duration.ZERO, subject);
    GoogleCredentials creds = tokens.loadCredentials();
    String who = principal != null ? principal : GoogleAccessTokens.describePrincipal(creds);
    String object = uri.object("_geneva/probe-" + UUID.randomUUID());
    BlobId id = BlobId.of(uri.bucket(), object);
    byte[] probe = ("geneva write check " + object + "\n").getBytes(StandardCharsets.UTF_8);
    StorageOptions.Builder options =
        StorageOptions.newBuilder()
            .setCredentials(creds)
            .setProjectId(projectId != null ? projectId : "geneva-write-check");
    if (host != null) {
      options.setHost(host);
    }
    try (Storage storage = options.build().getService()) {
      Step step = Step.WRITE;
      try {
        storage.create(BlobInfo.newBuilder(id).setContentType("text/plain").build(), probe);
        step = Step.READ;
        byte[] read = storage.readAllBytes(id);
        if (!Arrays.equals(read, probe)) {
          return failure(
              who,
              object,
              Step.READ,
              0,
              null,
              "gs://"
                  + uri.bucket()
                  + "/"
                  + object
                  + " read back different bytes than were written: check for a proxy or an"
                  + " object-level retention/transformation policy on bucket '"
                  + uri.bucket()
                  + "'"
                  + leftBehind(storage, id));
        }
        step = Step.DELETE;
        if (!storage.delete(id)) {
          return failure(
              who,
              object,
              Step.DELETE,
              404,
              null,
              "gs://"
                  + uri.bucket()
                  + "/"
                  + object
                  + " vanished before it could be deleted: is another process cleaning"
                  + " _geneva/ or a lifecycle rule deleting new objects?");
        }
      } catch (StorageException e) {
        return failure(who, object, step, e, storage, id);
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      // Storage.close() declares Exception; nothing to clean up.
    }
    return new GcsCheckReport(
        uri.bucket(),
        object,
        who,
        null,
        0,
        null,
        who + " can write, read and delete objects under " + uri);
  }

  /** Whether the failure is Google's token endpoint refusing the credentials (a deleted key). */
  private static boolean tokenRefused(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String m = t.getMessage();
      if (m != null
          && (m.contains("invalid_grant")
              || m.contains("invalid_client")
              || m.contains("unauthorized_client"))) {
        return true;
      }
    }
    return false;
  }

  private GcsCheckReport failure(
      String who, String object, Step step, StorageException e, Storage storage, BlobId id) {
    // No token means no HTTP status; a token endpoint that refused the grant is not a network
    // problem but rejected credentials, like a 401 from Cloud Storage itself.
    int status = e.getCode() <= 0 && tokenRefused(e) ? 401 : e.getCode();
    String google = Redact.secrets(e.getMessage());
    String where = "gs://" + uri.bucket() + "/" + object;
    String head =
        step.name().charAt(0)
            + step.name().substring(1).toLowerCase(java.util.Locale.ROOT)
            + " of probe object "
            + where
            + " failed"
            + (status > 0 ? " with HTTP " + status : "")
            + " ("
            + google
            + "). ";
    String member =
        who.startsWith("serviceAccount:")
            ? who
            : "serviceAccount:<workers' Google service account>";
    String grant =
        " Grant it "
            + REQUIRED_ROLE
            + " on the bucket: gcloud storage buckets add-iam-policy-binding gs://"
            + uri.bucket()
            + " --member="
            + member
            + " --role="
            + REQUIRED_ROLE
            + ". If the Ray workers use GKE workload identity, also check their Kubernetes service"
            + " account is annotated with iam.gke.io/gcp-service-account=<GSA email> and bound to"
            + " that Google service account with roles/iam.workloadIdentityUser (deployment"
            + " guide: 'Google service account (GSA)' and 'GKE workload identity')";
    String left = step == Step.WRITE ? "" : leftBehind(storage, id);
    switch (status) {
      case 403:
        String permission =
            switch (step) {
              case WRITE -> "storage.objects.create";
              case READ -> "storage.objects.get";
              case DELETE -> "storage.objects.delete";
            };
        return failure(
            who,
            object,
            step,
            status,
            REQUIRED_ROLE,
            head
                + who
                + " lacks "
                + permission
                + " on bucket '"
                + uri.bucket()
                + "'."
                + grant
                + left);
      case 404:
        return failure(
            who,
            object,
            step,
            status,
            null,
            head
                + "Bucket '"
                + uri.bucket()
                + "' does not exist, or "
                + who
                + " cannot see it: create it or fix the table URI"
                + left);
      case 401:
        return failure(
            who,
            object,
            step,
            status,
            null,
            head
                + "Google rejected the credentials of "
                + who
                + ": refresh them (gcloud auth application-default login, a new key, or the"
                + " workload-identity binding roles/iam.workloadIdentityUser)"
                + left);
      default:
        return failure(
            who,
            object,
            step,
            status,
            null,
            head
                + (status <= 0
                    ? "Could not reach Cloud Storage"
                        + (host == null ? "" : " at " + host)
                        + ": check network access to storage.googleapis.com"
                    : status >= 500
                        ? "Cloud Storage failed; retry later, and if it persists check its status"
                        : "Cloud Storage refused the request: check the table URI and the client's"
                            + " host setting")
                + left);
    }
  }

  private GcsCheckReport failure(
      String who, String object, Step step, int status, String role, String message) {
    return new GcsCheckReport(uri.bucket(), object, who, step, status, role, message);
  }

  private static String leftBehind(Storage storage, BlobId id) {
    try {
      if (storage.delete(id)) {
        return "";
      }
    } catch (StorageException ignored) {
      // Reported below.
    }
    return ". The probe object gs://"
        + id.getBucket()
        + "/"
        + id.getName()
        + " may be left behind: delete it by hand";
  }

  @Override
  public String toString() {
    return "GcsWriteCheck{uri="
        + uri
        + ", credentials="
        + credentials
        + (host == null ? "" : ", host=" + host)
        + "}";
  }

  /** Builds {@link GcsWriteCheck}. */
  public static final class Builder {
    private String tableUri;
    private GoogleCredentialsSource credentials = GoogleCredentialsSource.applicationDefault();
    private String principal;
    private String host;
    private String projectId;

    private Builder() {}

    /**
     * The table (or database) location to probe under, e.g. {@code gs://bucket/db}.
     *
     * @param tableUri a {@code gs://} URI
     * @return this builder
     */
    public Builder tableUri(String tableUri) {
      this.tableUri = tableUri;
      return this;
    }

    /**
     * Where the Google credentials come from; default {@link
     * GoogleCredentialsSource#applicationDefault()}.
     *
     * @param source the source
     * @return this builder
     */
    public Builder credentialsSource(GoogleCredentialsSource source) {
      this.credentials = Objects.requireNonNull(source, "credentialsSource");
      return this;
    }

    /**
     * Checks with these credentials.
     *
     * @param credentials the credentials
     * @return this builder
     */
    public Builder credentials(GoogleCredentials credentials) {
      return credentialsSource(GoogleCredentialsSource.of(credentials));
    }

    /**
     * Checks with a service-account key file.
     *
     * @param keyFile the key file
     * @return this builder
     */
    public Builder serviceAccountKeyFile(Path keyFile) {
      return credentialsSource(GoogleCredentialsSource.serviceAccountKeyFile(keyFile));
    }

    /**
     * Names the principal in messages when the credentials do not tell it locally (workload
     * identity, user credentials), e.g. the GSA email.
     *
     * @param principal an email (shown as {@code serviceAccount:<email>}) or an IAM member
     * @return this builder
     */
    public Builder principal(String principal) {
      this.principal =
          principal == null || principal.contains(":") ? principal : "serviceAccount:" + principal;
      return this;
    }

    /**
     * The Cloud Storage endpoint, e.g. {@code http://127.0.0.1:4443} for a fake; default the public
     * one.
     *
     * @param host the endpoint URL
     * @return this builder
     */
    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /**
     * The project the client is created in; object reads and writes do not need one, so by default
     * a placeholder is used rather than looking it up.
     *
     * @param projectId the project id
     * @return this builder
     */
    public Builder projectId(String projectId) {
      this.projectId = projectId;
      return this;
    }

    /**
     * Checks the values and builds the check; contacts nothing.
     *
     * @return the check
     * @throws InvalidInputException naming the malformed field
     */
    public GcsWriteCheck build() {
      GcsUri uri = GcsUri.parse(tableUri, "GcsWriteCheck tableUri");
      if (host != null && !host.startsWith("http://") && !host.startsWith("https://")) {
        throw new InvalidInputException(
            "GcsWriteCheck host '"
                + host
                + "' is not an http(s) URL: pass e.g. http://127.0.0.1:4443");
      }
      return new GcsWriteCheck(this, uri);
    }
  }
}
