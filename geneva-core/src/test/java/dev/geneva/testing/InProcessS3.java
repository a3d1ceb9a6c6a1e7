package dev.geneva.testing;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * An S3 server in this JVM: s3proxy over jclouds' in-memory store, checking AWS signatures. Access
 * keys can be added and revoked while it runs, like rotating session credentials: a request signed
 * with a revoked key gets S3's {@code InvalidAccessKeyId}. Close it after the test.
 */
public final class InProcessS3 implements AutoCloseable {
  private final BlobStoreContext blobs;
  private final S3Proxy proxy;
  private final Map<String, String> secrets = new ConcurrentHashMap<>();
  private final AtomicInteger rejected = new AtomicInteger();

  private InProcessS3(String accessKey, String secretKey) throws Exception {
    blobs =
        ContextBuilder.newBuilder("transient")
            .credentials("unused", "unused")
            .build(BlobStoreContext.class);
    proxy =
        S3Proxy.builder()
            .blobStore(blobs.getBlobStore())
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
            // s3proxy answers 501 to headers it does not know, x-amz-security-token (sent with STS
            // session credentials) among them; the key the request is signed with is still checked.
            .ignoreUnknownHeaders(true)
            .endpoint(URI.create("http://127.0.0.1:0"))
            .build();
    secrets.put(accessKey, secretKey);
    BlobStore store = blobs.getBlobStore();
    proxy.setBlobStoreLocator(
        (identity, container, blob) -> {
          String secret = identity == null ? null : secrets.get(identity);
          if (secret == null) {
            rejected.incrementAndGet();
            return null; // s3proxy answers 403 InvalidAccessKeyId
          }
          return Map.entry(secret, store);
        });
    proxy.start();
    while (!proxy.getState().equals("STARTED")) {
      Thread.sleep(10);
    }
  }

  /**
   * Starts a server that accepts one key pair and holds the given buckets.
   *
   * @param accessKey the access key id
   * @param secretKey its secret
   * @param buckets buckets to create
   * @return the running server
   * @throws Exception when it cannot start
   */
  public static InProcessS3 start(String accessKey, String secretKey, String... buckets)
      throws Exception {
    InProcessS3 s3 = new InProcessS3(accessKey, secretKey);
    for (String bucket : buckets) {
      s3.blobStore().createContainerInLocation(null, bucket);
    }
    return s3;
  }

  /** Accepts requests signed with this key from now on. */
  public void allowKey(String accessKey, String secretKey) {
    secrets.put(accessKey, secretKey);
  }

  /** Rejects requests signed with this key from now on. */
  public void revokeKey(String accessKey) {
    secrets.remove(accessKey);
  }

  /** How many requests were signed with an unknown or revoked key. */
  public int rejectedRequests() {
    return rejected.get();
  }

  /** The endpoint, {@code http://127.0.0.1:<port>}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  /** The store behind the server, to look at what was written. */
  public BlobStore blobStore() {
    return blobs.getBlobStore();
  }

  /**
   * Lance storage options for this server: the key pair, a region, the endpoint over plain HTTP and
   * path-style requests.
   */
  public Map<String, String> storageOptions(String accessKey, String secretKey) {
    return Map.of(
        "aws_access_key_id",
        accessKey,
        "aws_secret_access_key",
        secretKey,
        "aws_region",
        "us-east-1",
        "aws_endpoint",
        endpoint().toString(),
        "allow_http",
        "true",
        "aws_virtual_hosted_style_request",
        "false");
  }

  @Override
  public void close() throws Exception {
    try {
      proxy.stop();
    } finally {
      blobs.close();
    }
  }
}
