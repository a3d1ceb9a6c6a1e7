package dev.geneva.k8s.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.k8s.auth.KubeAuth;
import dev.geneva.k8s.internal.crd.RayClusterResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What a {@code RayCluster} test runs against: a {@link MockKubernetes} server with the KubeRay
 * CRD, a namespace and a service account, a {@link FakeDashboard} reached through a {@link
 * ProxyForwarder}, and (once {@link #startOperator started}) a {@link FakeKubeRay} operator.
 *
 * <p>{@link #close()} tears them down in the one order that works: the operator first (its {@link
 * FakeKubeRay#errors() errors} must be empty), then the dashboard and whatever else was handed over
 * with {@link Builder#alsoClose}, and the mock server last, since its close fails on a watch still
 * open. Every step runs even when an earlier one fails; later failures are added to the first as
 * suppressed.
 */
public final class MockRayEnvironment implements AutoCloseable {
  private final String namespace;
  private final String serviceAccount;
  private final MockKubernetes mock;
  private final ProxyForwarder forwarder;
  private final List<AutoCloseable> others;
  private volatile FakeDashboard dashboard;
  private FakeKubeRay operator;

  private MockRayEnvironment(Builder b, MockKubernetes mock) {
    this.namespace = b.namespace;
    this.serviceAccount = b.serviceAccount;
    this.mock = mock;
    this.others = List.copyOf(b.others);
    KubernetesClient client = mock.client();
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .resource(KubeRayCrds.crd(b.crdVersion))
        // The client retries a POST that timed out on a loaded machine; the retry then meets the
        // resource its first attempt created.
        .createOr(r -> r.update());
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .createOr(r -> r.update());
    ServiceAccountBuilder sa = new ServiceAccountBuilder();
    sa.withNewMetadata().withName(serviceAccount).endMetadata();
    if (!b.annotations.isEmpty()) {
      sa.editMetadata().addToAnnotations(b.annotations).endMetadata();
    }
    client.serviceAccounts().inNamespace(namespace).resource(sa.build()).createOr(r -> r.update());
    Supplier<InetSocketAddress> target = b.dashboardAddress;
    if (target == null) {
      dashboard = new FakeDashboard(b.rayVersion).failFirst(b.failFirst);
      target = () -> dashboard.address();
    }
    Supplier<InetSocketAddress> to = target;
    forwarder = new ProxyForwarder(port -> to.get());
  }

  /**
   * A builder with the defaults: KubeRay CRD 1.3.2, namespace {@code geneva}, service account
   * {@code geneva-ray-runner} without annotations, plain HTTP, a dashboard of Ray 2.39.0 that
   * answers at once.
   *
   * @return the builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /** What to set up; {@link #build()} starts it. */
  public static final class Builder {
    private String crdVersion = "1.3.2";
    private String namespace = "geneva";
    private String serviceAccount = "geneva-ray-runner";
    private final Map<String, String> annotations = new LinkedHashMap<>();
    private boolean https;
    private String rayVersion = "2.39.0";
    private int failFirst;
    private Supplier<InetSocketAddress> dashboardAddress;
    private final List<AutoCloseable> others = new ArrayList<>();

    private Builder() {}

    /**
     * The KubeRay CRD to register.
     *
     * @param version e.g. "1.3.2", one of {@link KubeRayCrds#VERSIONS}
     * @return this
     */
    public Builder crdVersion(String version) {
      this.crdVersion = version;
      return this;
    }

    /**
     * The namespace to create.
     *
     * @param namespace the name
     * @return this
     */
    public Builder namespace(String namespace) {
      this.namespace = namespace;
      return this;
    }

    /**
     * The service account to create in the namespace.
     *
     * @param name the name
     * @return this
     */
    public Builder serviceAccount(String name) {
      this.serviceAccount = name;
      return this;
    }

    /**
     * An annotation of the service account, e.g. the cloud identity it is bound to.
     *
     * @param key e.g. {@code eks.amazonaws.com/role-arn}
     * @param value e.g. a role ARN
     * @return this
     */
    public Builder serviceAccountAnnotation(String key, String value) {
      annotations.put(key, value);
      return this;
    }

    /**
     * Whether the mock server speaks TLS, see {@link MockKubernetes#MockKubernetes(boolean)}.
     *
     * @param https true for TLS with a self-signed certificate
     * @return this
     */
    public Builder https(boolean https) {
      this.https = https;
      return this;
    }

    /**
     * The Ray version the {@link FakeDashboard} reports.
     *
     * @param rayVersion e.g. "2.39.0"
     * @return this
     */
    public Builder rayVersion(String rayVersion) {
      this.rayVersion = rayVersion;
      return this;
    }

    /**
     * Lets the {@link FakeDashboard} answer 503 to its first calls, see {@link
     * FakeDashboard#failFirst}.
     *
     * @param n calls to fail
     * @return this
     */
    public Builder dashboardFailFirst(int n) {
      this.failFirst = n;
      return this;
    }

    /**
     * Forwards the dashboard port to another server instead of a {@link FakeDashboard} (then none
     * is started); pass it to {@link #alsoClose} too if the environment should close it.
     *
     * @param address where that server listens
     * @return this
     */
    public Builder forwardDashboardTo(Supplier<InetSocketAddress> address) {
      this.dashboardAddress = address;
      return this;
    }

    /**
     * Something of the test's to close with the environment: after the operator and the dashboard,
     * before the mock server. Closed in the order given.
     *
     * @param closeable e.g. a fake cloud API
     * @return this
     */
    public Builder alsoClose(AutoCloseable closeable) {
      others.add(closeable);
      return this;
    }

    /**
     * Starts the mock server and creates the CRD, namespace, service account, dashboard and
     * forwarder; the operator is started by {@link MockRayEnvironment#startOperator}. When this
     * fails, what it started is closed, and what was given to {@link #alsoClose} too.
     *
     * @return the environment
     */
    public MockRayEnvironment build() {
      MockKubernetes mock = null;
      try {
        mock = new MockKubernetes(https);
        return new MockRayEnvironment(this, mock);
      } catch (RuntimeException | Error e) {
        List<AutoCloseable> started = new ArrayList<>(others);
        if (mock != null) {
          started.add(mock);
        }
        closeAll(e, started);
        throw e;
      }
    }
  }

  /**
   * Starts the fake KubeRay operator in the namespace (at most one per environment).
   *
   * @param version the KubeRay version it imitates
   * @param behaviour what happens to the pods
   * @return the operator
   */
  public FakeKubeRay startOperator(FakeKubeRay.Version version, FakeKubeRay.Behaviour behaviour) {
    if (operator != null) {
      throw new IllegalStateException("the fake operator is already started");
    }
    operator = new FakeKubeRay(mock.client(), namespace, version, behaviour).start();
    return operator;
  }

  /**
   * Replaces the {@link FakeDashboard} with one of another Ray version; the forwarder reaches the
   * new one from then on.
   *
   * @param rayVersion the version the new dashboard reports
   * @return the new dashboard
   */
  public FakeDashboard restartDashboard(String rayVersion) {
    dashboard().close();
    dashboard = new FakeDashboard(rayVersion);
    return dashboard;
  }

  /**
   * The mock server wrapper, e.g. for {@link MockKubernetes#answerOnce}.
   *
   * @return the mock
   */
  public MockKubernetes mock() {
    return mock;
  }

  /**
   * The mock server, for expectations and recorded requests.
   *
   * @return the server
   */
  public KubernetesMockServer server() {
    return mock.server();
  }

  /**
   * The mock server's client (also the operator's).
   *
   * @return the client
   */
  public KubernetesClient client() {
    return mock.client();
  }

  /**
   * The auth of the mock server's client, for {@code RayCluster.builder().auth(..)}.
   *
   * @return the auth
   */
  public KubeAuth kubeAuth() {
    return KubeAuth.of(mock.client().getConfiguration());
  }

  /**
   * The auth of the mock server's client, but reaching the API server at another URL, such as a
   * {@link FaultProxy}'s in front of the mock server.
   *
   * @param masterUrl e.g. {@link FaultProxy#url()}
   * @return the auth
   */
  public KubeAuth kubeAuthVia(String masterUrl) {
    return KubeAuth.of(
        new ConfigBuilder(mock.client().getConfiguration()).withMasterUrl(masterUrl).build());
  }

  /**
   * Where the (plain HTTP) mock server listens, for a {@link FaultProxy} in front of it.
   *
   * @return the address
   */
  public InetSocketAddress serverAddress() {
    return new InetSocketAddress(mock.server().getHostName(), mock.server().getPort());
  }

  /**
   * The namespace created.
   *
   * @return the name
   */
  public String namespace() {
    return namespace;
  }

  /**
   * The service account created.
   *
   * @return the name
   */
  public String serviceAccount() {
    return serviceAccount;
  }

  /**
   * The fake dashboard.
   *
   * @return the dashboard
   * @throws IllegalStateException when the dashboard port is forwarded elsewhere
   */
  public FakeDashboard dashboard() {
    if (dashboard == null) {
      throw new IllegalStateException(
          "no FakeDashboard: the dashboard port is forwarded elsewhere");
    }
    return dashboard;
  }

  /**
   * The port forwarder to give the {@code RayCluster}.
   *
   * @return the forwarder
   */
  public ProxyForwarder forwarder() {
    return forwarder;
  }

  /**
   * The RayClusters in the namespace now.
   *
   * @return the RayClusters
   */
  public List<RayClusterResource> rayClusters() {
    return mock.client()
        .resources(RayClusterResource.class)
        .inNamespace(namespace)
        .list()
        .getItems();
  }

  /**
   * Closes the operator and checks it recorded no errors, then the dashboard and what was given to
   * {@link Builder#alsoClose}, then the mock server (which fails if a watch is still open).
   *
   * @throws Exception the first failure, with the later ones suppressed
   */
  @Override
  public void close() throws Exception {
    Throwable failure = null;
    if (operator != null) {
      try {
        operator.close();
        assertThat(operator.errors()).as("errors of the fake KubeRay operator").isEmpty();
      } catch (Exception | Error e) {
        failure = e;
      }
    }
    List<AutoCloseable> rest = new ArrayList<>();
    if (dashboard != null) {
      rest.add(dashboard);
    }
    rest.addAll(others);
    rest.add(mock); // last: fails if a watch or informer of the test or the SDK is still open
    failure = closeAll(failure, rest);
    if (failure instanceof Exception e) {
      throw e;
    }
    if (failure instanceof Error e) {
      throw e;
    }
  }

  /** Closes each in order; returns the first failure (or {@code failure}), later ones added. */
  private static Throwable closeAll(Throwable failure, List<AutoCloseable> closeables) {
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception | Error e) {
        if (failure == null) {
          failure = e;
        } else if (failure != e) {
          failure.addSuppressed(e);
        }
      }
    }
    return failure;
  }
}
