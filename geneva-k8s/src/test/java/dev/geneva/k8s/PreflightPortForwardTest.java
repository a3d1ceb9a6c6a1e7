package dev.geneva.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.geneva.k8s.internal.Preflight;
import dev.geneva.k8s.internal.Preflight.ServerVersion;
import dev.geneva.k8s.testing.MockRayEnvironment;
import dev.geneva.k8s.testing.Rbac;
import io.fabric8.kubernetes.client.VersionInfo;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Preflight's pods/portforward checks follow the API server's version, read from {@code /version}:
 * fabric8's websocket upgrade is a GET, authorized as {@code get}; from Kubernetes 1.35 the server
 * also requires {@code create} (AuthorizePodWebsocketUpgradeCreatePermission). The mock server
 * answers the SelfSubjectAccessReviews per verb.
 */
class PreflightPortForwardTest {
  private MockRayEnvironment env;

  @BeforeEach
  void setUp() {
    env = MockRayEnvironment.builder().namespace("geneva").serviceAccount("runner").build();
  }

  @AfterEach
  void tearDown() throws Exception {
    env.close();
  }

  private void serverVersion(String major, String minor, String gitVersion) {
    env.server()
        .setVersionInfo(
            new VersionInfo.Builder()
                .withMajor(major)
                .withMinor(minor)
                .withGitVersion(gitVersion)
                .build());
  }

  private PreflightReport preflight() {
    return RayCluster.builder()
        .name("pf")
        .namespace("geneva")
        .auth(env.kubeAuth())
        .headGroup(HeadGroupSpec.builder().serviceAccount("runner").build())
        .build()
        .preflight();
  }

  private static PreflightReport.Item item(PreflightReport report, String verb) {
    return report.items().stream()
        .filter(i -> i.check().equals("can-i " + verb + " pods/portforward in namespace geneva"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + verb + " pods/portforward in " + report));
  }

  @Test
  void preflight_whenServer134GrantsOnlyGet_asksGetOnlyAndPasses() {
    serverVersion("1", "34+", "v1.34.2-gke.1100000");
    List<String> asked = Rbac.allowAllExcept(env.server(), "create pods/portforward");

    PreflightReport report = preflight();

    assertThat(report.ok()).as(report.toString()).isTrue();
    assertThat(asked).contains("get pods/portforward").doesNotContain("create pods/portforward");
    assertThat(item(report, "get").detail())
        .contains("Kubernetes v1.34.2-gke.1100000")
        .contains("authorized as 'get'");
  }

  @Test
  void preflight_whenServer134GrantsOnlyCreate_reportsGetForbiddenWithFix() {
    serverVersion("1", "34", "v1.34.0");
    Rbac.allowAllExcept(env.server(), "get pods/portforward");

    PreflightReport report = preflight();

    assertThat(report.ok()).isFalse();
    PreflightReport.Item get = item(report, "get");
    assertThat(get.status()).isEqualTo(PreflightReport.Status.FORBIDDEN);
    assertThat(get.detail()).contains("'get' on pods/portforward").contains("v1.34.0");
    assertThat(get.fix()).contains("grant both 'get' and 'create' on pods/portforward");
    assertThat(report.failures()).containsExactly(get);
  }

  @Test
  void preflight_whenServer135GrantsOnlyGet_reportsCreateForbidden() {
    serverVersion("1", "35", "v1.35.1");
    List<String> asked = Rbac.allowAllExcept(env.server(), "create pods/portforward");

    PreflightReport report = preflight();

    assertThat(asked).contains("get pods/portforward", "create pods/portforward");
    assertThat(item(report, "get").status()).isEqualTo(PreflightReport.Status.OK);
    PreflightReport.Item create = item(report, "create");
    assertThat(create.status()).isEqualTo(PreflightReport.Status.FORBIDDEN);
    assertThat(create.detail())
        .contains("from 1.35 the port-forward websocket also needs 'create'");
  }

  @Test
  void preflight_whenServerVersionUnknown_checksBothVerbs() {
    serverVersion("0", "0", null);
    List<String> asked = Rbac.allowAllExcept(env.server());

    PreflightReport report = preflight();

    assertThat(report.ok()).isTrue();
    assertThat(asked).contains("get pods/portforward", "create pods/portforward");
    assertThat(item(report, "create").detail()).contains("version is unknown");
  }

  @Test
  void serverVersionOf_whenGkeOrEksStyleVersions_parsesMajorAndMinor() {
    assertThat(
            ServerVersion.of(
                new VersionInfo.Builder()
                    .withMajor("1")
                    .withMinor("31+")
                    .withGitVersion("v1.31.4-eks-2d5f260")
                    .build()))
        .isEqualTo(new ServerVersion(1, 31, "v1.31.4-eks-2d5f260"));
    assertThat(ServerVersion.of(new VersionInfo.Builder().withMajor("1").withMinor("35+").build()))
        .satisfies(v -> assertThat(v.atLeast(1, 35)).isTrue());
    assertThat(ServerVersion.of(null).known()).isFalse();
    assertThat(Preflight.portForwardVerbs(new ServerVersion(1, 34, ""))).containsExactly("get");
    assertThat(Preflight.portForwardVerbs(new ServerVersion(1, 35, "")))
        .containsExactly("get", "create");
    assertThat(Preflight.portForwardVerbs(new ServerVersion(2, 0, "")))
        .containsExactly("get", "create");
  }
}
