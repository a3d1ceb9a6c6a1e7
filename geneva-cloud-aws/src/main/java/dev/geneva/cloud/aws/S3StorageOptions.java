package dev.geneva.cloud.aws;

import dev.geneva.GenevaException;
import dev.geneva.InvalidInputException;
import dev.geneva.StorageOptionsProvider;
import dev.geneva.cloud.aws.internal.AwsErrors;
import dev.geneva.internal.lance.StorageOptionsMap;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * Lance storage options for {@code s3://} tables, from AWS credentials: {@code aws_access_key_id},
 * {@code aws_secret_access_key}, {@code aws_session_token} (for session credentials), {@code
 * aws_region}, and for S3-compatible endpoints {@code aws_endpoint}, {@code allow_http} and {@code
 * aws_virtual_hosted_style_request=false}.
 *
 * <pre>{@code
 * EksAuth auth = EksAuth.builder().clusterName("geneva").region("us-east-1")
 *     .roleName("geneva-client-role").build();
 * Map<String, String> s3 = S3StorageOptions.builder()
 *     .credentialsProvider(auth.credentialsProvider()).region("us-east-1").build().toMap();
 * Connection db = Geneva.connect("s3://bucket/db",
 *     ConnectOptions.builder().storageOptions(s3).build());
 * }</pre>
 *
 * <p>{@link #toMap()} reads the credentials once, and session credentials expire (an assumed role's
 * after its session duration). For runs longer than that, hand the options themselves to the
 * connection as a {@link StorageOptionsProvider}: Geneva then resolves them again for every table
 * open, commit and backfill task, and the credentials provider renews the session in time.
 *
 * <pre>{@code
 * Connection db = Geneva.connect("s3://bucket/db", ConnectOptions.builder()
 *     .storageOptionsProvider(S3StorageOptions.builder()
 *         .credentialsProvider(auth.credentialsProvider()).region("us-east-1").build())
 *     .build());
 * }</pre>
 *
 * <p>{@link #toString()} and the returned maps' {@code toString()} show keys, never secrets.
 */
public final class S3StorageOptions implements StorageOptionsProvider {
  private final AwsCredentialsProvider credentials;
  private final String region;
  private final URI endpoint;
  private final boolean pathStyle;

  private S3StorageOptions(Builder b) {
    this.credentials = b.credentials;
    this.region = b.region;
    this.endpoint = b.endpoint;
    this.pathStyle = b.pathStyle;
  }

  /**
   * Starts a set of options.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Copies these settings into a builder.
   *
   * @return a builder holding these values
   */
  public Builder toBuilder() {
    return new Builder()
        .credentialsProvider(credentials)
        .region(region)
        .endpoint(endpoint)
        .pathStyle(pathStyle);
  }

  /**
   * Resolves the credentials now and returns the Lance storage options, usable with {@code
   * ConnectOptions.builder().storageOptions(..)} or {@code Geneva.connect(uri, map)}.
   *
   * @return an immutable map whose {@code toString()} shows only the keys
   * @throws GenevaException when the credentials cannot be resolved; the message says how to fix it
   */
  public Map<String, String> toMap() {
    AwsCredentials c;
    try {
      c = credentials.resolveCredentials();
    } catch (RuntimeException e) {
      throw AwsErrors.callFailed("Resolving AWS credentials for S3", e);
    }
    Map<String, String> m = new LinkedHashMap<>();
    m.put("aws_access_key_id", c.accessKeyId());
    m.put("aws_secret_access_key", c.secretAccessKey());
    if (c instanceof AwsSessionCredentials s && s.sessionToken() != null) {
      m.put("aws_session_token", s.sessionToken());
    }
    m.put("aws_region", region);
    if (endpoint != null) {
      m.put("aws_endpoint", endpoint.toString());
      if ("http".equalsIgnoreCase(endpoint.getScheme())) {
        m.put("allow_http", "true");
      }
    }
    if (pathStyle) {
      m.put("aws_virtual_hosted_style_request", "false");
    }
    return StorageOptionsMap.copyOf(m);
  }

  /**
   * The options with the credentials current now; the same as {@link #toMap()}. Called by Geneva
   * each time it uses the table when these options are a connection's {@link
   * StorageOptionsProvider}.
   *
   * @return an immutable map whose {@code toString()} shows only the keys
   * @throws GenevaException when the credentials cannot be resolved; the message says how to fix it
   */
  @Override
  public Map<String, String> resolveStorageOptions() {
    return toMap();
  }

  @Override
  public String toString() {
    return "S3StorageOptions{region="
        + region
        + (endpoint == null ? "" : ", endpoint=" + endpoint)
        + (pathStyle ? ", pathStyle" : "")
        + "}";
  }

  /** Builds {@link S3StorageOptions}; credentials and region are required. */
  public static final class Builder {
    private AwsCredentialsProvider credentials;
    private String region;
    private URI endpoint;
    private boolean pathStyle;

    private Builder() {}

    /**
     * Where the credentials come from, for example {@link EksAuth#credentialsProvider()}.
     *
     * @param provider the provider
     * @return this builder
     */
    public Builder credentialsProvider(AwsCredentialsProvider provider) {
      this.credentials = provider;
      return this;
    }

    /**
     * Fixed credentials.
     *
     * @param credentials basic or session credentials
     * @return this builder
     */
    public Builder credentials(AwsCredentials credentials) {
      this.credentials = credentials == null ? null : () -> credentials;
      return this;
    }

    /**
     * The bucket's region.
     *
     * @param region e.g. {@code us-east-1}
     * @return this builder
     */
    public Builder region(String region) {
      this.region = region;
      return this;
    }

    /**
     * An S3-compatible endpoint (MinIO, s3proxy, a VPC endpoint); {@code http} endpoints also set
     * {@code allow_http=true}.
     *
     * @param endpoint the endpoint, or null for AWS S3
     * @return this builder
     */
    public Builder endpoint(URI endpoint) {
      this.endpoint = endpoint;
      return this;
    }

    /**
     * Path-style requests ({@code aws_virtual_hosted_style_request=false}), which most
     * S3-compatible endpoints need.
     *
     * @param pathStyle true for path-style
     * @return this builder
     */
    public Builder pathStyle(boolean pathStyle) {
      this.pathStyle = pathStyle;
      return this;
    }

    /**
     * Checks the settings and builds the options (credentials are resolved later, by {@link
     * S3StorageOptions#toMap()}).
     *
     * @return the options
     * @throws InvalidInputException naming a missing setting
     */
    public S3StorageOptions build() {
      if (credentials == null) {
        throw new InvalidInputException(
            "S3StorageOptions credentials are not set: call .credentialsProvider(eksAuth"
                + ".credentialsProvider()) or .credentialsProvider(DefaultCredentialsProvider"
                + ".builder().build())");
      }
      if (region == null || region.isBlank()) {
        throw new InvalidInputException(
            "S3StorageOptions region is not set: call .region(\"us-east-1\") with the bucket's"
                + " region");
      }
      if (endpoint != null && endpoint.getScheme() == null) {
        throw new InvalidInputException(
            "S3StorageOptions endpoint '"
                + endpoint
                + "' has no scheme: use http://host:port or https://host");
      }
      return new S3StorageOptions(this);
    }
  }
}
