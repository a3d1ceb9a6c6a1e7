package dev.geneva.k8s.auth.internal;

import dev.geneva.GenevaException;
import dev.geneva.k8s.auth.KubeAuth;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.OAuthTokenProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;

/**
 * {@link KubeAuth#inCluster()}: the pod's service-account token, CA and namespace, and the API
 * server from {@code KUBERNETES_SERVICE_HOST}/{@code KUBERNETES_SERVICE_PORT}. The directory and
 * the environment are injectable for tests. Not API.
 */
public final class InClusterAuth implements KubeAuth {
  /** Where Kubernetes mounts the service account's token, CA and namespace. */
  public static final Path DEFAULT_DIR = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

  private final Path dir;
  private final Function<String, String> env;

  /**
   * Creates the auth.
   *
   * @param dir the service-account directory holding {@code token}, {@code ca.crt} and optionally
   *     {@code namespace}
   * @param env reads an environment variable (null when unset)
   */
  public InClusterAuth(Path dir, Function<String, String> env) {
    this.dir = Objects.requireNonNull(dir, "dir");
    this.env = Objects.requireNonNull(env, "env");
  }

  /**
   * The real pod environment: {@link #DEFAULT_DIR} and {@link System#getenv(String)}.
   *
   * @return the auth
   */
  public static InClusterAuth fromEnvironment() {
    return new InClusterAuth(DEFAULT_DIR, System::getenv);
  }

  @Override
  public Config resolve() {
    String host = env.apply("KUBERNETES_SERVICE_HOST");
    String port = env.apply("KUBERNETES_SERVICE_PORT");
    if (isBlank(host) || isBlank(port)) {
      throw new GenevaException(
          "KubeAuth.inCluster(): not running in a Kubernetes pod (KUBERNETES_SERVICE_HOST and"
              + " KUBERNETES_SERVICE_PORT are not set). Outside a cluster use KubeAuth.kubeconfig()"
              + " (ConfigMethod.LOCAL) or a cloud method (ConfigMethod.EKS_AUTH, GKE)");
    }
    Path token = dir.resolve("token");
    Path ca = dir.resolve("ca.crt");
    for (Path required : new Path[] {token, ca}) {
      if (!Files.isRegularFile(required)) {
        throw new GenevaException(
            "KubeAuth.inCluster(): "
                + required
                + " is missing, so the pod's service-account token is not mounted. Set"
                + " automountServiceAccountToken: true on the pod or its service account, or use"
                + " KubeAuth.kubeconfig()");
      }
    }
    Config config = Config.empty();
    String hostPort = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port.trim();
    config.setMasterUrl("https://" + hostPort.trim() + "/");
    config.setCaCertFile(ca.toAbsolutePath().toString());
    config.setOauthTokenProvider(new TokenFile(token));
    Path namespace = dir.resolve("namespace");
    if (Files.isRegularFile(namespace)) {
      config.setNamespace(read(namespace));
    }
    return config;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new GenevaException("KubeAuth.inCluster(): cannot read " + file + ": " + e, e);
    }
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }

  @Override
  public String toString() {
    return "KubeAuth.inCluster(dir=" + dir + ")";
  }

  /** Reads the token file on every request: the kubelet rotates projected tokens in place. */
  private static final class TokenFile implements OAuthTokenProvider {
    private final Path file;

    TokenFile(Path file) {
      this.file = file;
    }

    @Override
    public String getToken() {
      return read(file);
    }

    @Override
    public String toString() {
      return "service-account token file " + file;
    }
  }
}
