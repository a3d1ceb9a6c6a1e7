package dev.geneva.cloud.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.GenevaException;
import dev.geneva.InvalidInputException;
import dev.geneva.cloud.gcp.testing.FakeGoogle;
import dev.geneva.k8s.auth.ConfigMethod;
import dev.geneva.k8s.auth.KubeAuth;
import dev.geneva.testing.MutableClock;
import io.fabric8.kubernetes.client.Config;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link GkeAuth} against fakes of Google's token endpoint and the GKE API. */
class GkeAuthTest {
  private static final String CA_PEM =
      "-----BEGIN CERTIFICATE-----\nMIIBfakefakefake\n-----END CERTIFICATE-----\n";

  FakeGoogle google;

  @BeforeEach
  void start() throws IOException {
    google = new FakeGoogle();
    google.addCluster("p", "us-central1", "geneva", "34.1.2.3", CA_PEM);
  }

  @AfterEach
  void stop() {
    google.close();
  }

  private GkeAuth.Builder auth() {
    return GkeAuth.builder()
        .project("p")
        .location("us-central1")
        .clusterName("geneva")
        .credentials(google.credentials())
        .containerApiRoot(google.root());
  }

  @Test
  void resolve_whenClusterExists_usesEndpointCaAndGoogleToken() {
    Config config = auth().build().resolve();

    assertThat(config.getMasterUrl()).isEqualTo("https://34.1.2.3/");
    assertThat(config.getCaCertData())
        .isEqualTo(
            java.util.Base64.getEncoder()
                .encodeToString(CA_PEM.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(google.gkePaths())
        .containsExactly("/v1/projects/p/locations/us-central1/clusters/geneva");
    assertThat(google.gkeAuthorizations())
        .containsExactly("Bearer " + google.issuedTokens().get(0));
    assertThat(config.getOauthTokenProvider().getToken()).isEqualTo(google.issuedTokens().get(0));
    assertThat(google.tokenRequests()).isEqualTo(1);
  }

  @Test
  void resolve_whenServiceAccountKey_requestsCloudPlatformAndUserinfoEmailScopes() {
    auth().build().resolve();

    assertThat(google.assertionScopes())
        .singleElement()
        .satisfies(
            scope ->
                assertThat(scope.split(" "))
                    .containsExactlyInAnyOrder(
                        "https://www.googleapis.com/auth/cloud-platform",
                        "https://www.googleapis.com/auth/userinfo.email"));
  }

  @Test
  void getToken_whenClockPassesExpiryMinusMargin_fetchesNewToken() {
    MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    Config config = auth().clock(clock).build().resolve();
    String first = config.getOauthTokenProvider().getToken();

    clock.advance(Duration.ofMinutes(54));
    assertThat(config.getOauthTokenProvider().getToken()).isEqualTo(first);
    clock.advance(Duration.ofMinutes(2));
    String second = config.getOauthTokenProvider().getToken();

    assertThat(second).isNotEqualTo(first).isEqualTo(google.issuedTokens().get(1));
    assertThat(google.tokenRequests()).isEqualTo(2);
  }

  @Test
  void resolve_whenClusterNotFound_namesProjectLocationClusterAndFix() {
    GkeAuth auth = auth().location("europe-west1").build();

    assertThatThrownBy(auth::resolve)
        .isInstanceOf(GenevaException.class)
        .hasMessageContaining("GKE cluster 'geneva'")
        .hasMessageContaining("project 'p'")
        .hasMessageContaining("location 'europe-west1'")
        .hasMessageContaining("404 (NOT_FOUND: Not found: projects/p/locations/europe-west1")
        .hasMessageContaining("zonal cluster lives in a zone");
  }

  @Test
  void resolve_whenPermissionDenied_namesServiceAccountAndRoleToGrant() {
    google.denyProject("p");

    assertThatThrownBy(auth().build()::resolve)
        .isInstanceOf(GenevaException.class)
        .hasMessageContaining("returned 403 (PERMISSION_DENIED")
        .hasMessageContaining("serviceAccount:" + FakeGoogle.SA_EMAIL)
        .hasMessageContaining("roles/container.developer")
        .hasMessageContaining(
            "gcloud projects add-iam-policy-binding p --member=serviceAccount:"
                + FakeGoogle.SA_EMAIL)
        .hasMessageContaining("roles/iam.workloadIdentityUser");
  }

  @Test
  void resolve_whenNoApplicationDefaultCredentials_explainsWorkloadIdentityAndKeyFile() {
    GkeAuth auth =
        auth()
            .credentialsSource(
                () -> {
                  throw new IOException("Your default credentials were not found.");
                })
            .build();

    assertThatThrownBy(auth::resolve)
        .isInstanceOf(GenevaException.class)
        .hasMessageContaining("GKE cluster 'geneva' (project 'p', location 'us-central1')")
        .hasMessageContaining("no Google credentials")
        .hasMessageContaining("iam.gke.io/gcp-service-account")
        .hasMessageContaining("roles/iam.workloadIdentityUser")
        .hasMessageContaining("GOOGLE_APPLICATION_CREDENTIALS");
    assertThat(google.gkePaths()).isEmpty();
  }

  @Test
  void resolve_whenTokenEndpointRejectsGrant_namesPrincipalWithoutAssertion() {
    google.rejectGrant(true);

    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(auth().build()::resolve);

    assertThat(thrown)
        .isInstanceOf(GenevaException.class)
        .hasMessageContaining("could not get a Google access token")
        .hasMessageContaining(FakeGoogle.SA_EMAIL);
    assertThat(google.assertions()).isNotEmpty();
    for (String assertion : google.assertions()) {
      assertThat(fullText(thrown)).doesNotContain(assertion);
    }
  }

  @Test
  void build_whenProjectMissing_namesFieldAndFix() {
    assertThatThrownBy(() -> GkeAuth.builder().location("l").clusterName("c").build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("project is missing")
        .hasMessageContaining(".project(\"my-project\")");
  }

  @Test
  void build_whenLocationHasSlash_rejectsIt() {
    assertThatThrownBy(() -> auth().location("us-central1/clusters/x").build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("location 'us-central1/clusters/x' is malformed");
  }

  @Test
  void build_whenMarginLongerThanTokenLife_rejectsIt() {
    assertThatThrownBy(() -> auth().tokenRefreshMargin(Duration.ofHours(2)).build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("tokenRefreshMargin");
  }

  @Test
  void toBuilder_whenRebuilt_equalsOriginal() {
    GkeAuth auth = auth().build();

    assertThat(auth.toBuilder().build()).isEqualTo(auth);
    assertThat(auth.toBuilder().clusterName("other").build().clusterName()).contains("other");
  }

  @Test
  void forMethod_whenGke_findsGkeAuthProviderWithParameters() {
    KubeAuth auth =
        KubeAuth.forMethod(
            ConfigMethod.GKE,
            Map.of("project", "p", "location", "us-central1-a", "cluster_name", "geneva"));

    assertThat(auth).isInstanceOf(GkeAuth.class);
    GkeAuth gke = (GkeAuth) auth;
    assertThat(gke.project()).contains("p");
    assertThat(gke.location()).contains("us-central1-a");
    assertThat(gke.clusterName()).contains("geneva");
    assertThat(gke.toString()).contains("application-default credentials");
  }

  @Test
  void forMethod_whenUnknownParameter_listsAcceptedOnes() {
    assertThatThrownBy(
            () ->
                KubeAuth.forMethod(
                    ConfigMethod.GKE,
                    Map.of("project", "p", "location", "l", "cluster_name", "c", "region", "x")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("does not take parameters [region]")
        .hasMessageContaining("cluster_name");
  }

  @Test
  void forMethod_whenClusterNameMissing_namesIt() {
    assertThatThrownBy(
            () -> KubeAuth.forMethod(ConfigMethod.GKE, Map.of("project", "p", "location", "l")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("clusterName is missing");
  }

  @Test
  void secrets_whenResolvingRefreshingAndFailing_neverInLogsMessagesOrToString() {
    MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    List<String> texts = new ArrayList<>();
    try (LogCapture logs = new LogCapture()) {
      GkeAuth auth = auth().clock(clock).build();
      Config config = auth.resolve();
      config.getOauthTokenProvider().getToken();
      clock.advance(Duration.ofHours(1));
      config.getOauthTokenProvider().getToken();
      texts.add(auth.toString());
      texts.add(config.getOauthTokenProvider().toString());
      google.denyProject("p");
      texts.add(fullText(org.assertj.core.api.Assertions.catchThrowable(auth::resolve)));
      google.rejectGrant(true);
      texts.add(
          fullText(
              org.assertj.core.api.Assertions.catchThrowable(auth.toBuilder().build()::resolve)));
      texts.add(logs.text());
      assertThat(logs.text()).contains("new Google access token for serviceAccount:");
    }

    assertThat(google.issuedTokens()).hasSize(3); // two for the first resolve, one for the 403 one
    for (String text : texts) {
      for (String token : google.issuedTokens()) {
        assertThat(text).doesNotContain(token);
      }
      for (String assertion : google.assertions()) {
        assertThat(text).doesNotContain(assertion);
      }
      assertThat(text).doesNotContain(FakeGoogle.privateKeyBase64().substring(0, 40));
      assertThat(text).doesNotContain("s3cr3t").doesNotContain("ya29.");
    }
  }

  static String fullText(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      sb.append(c).append('\n');
    }
    return sb.toString();
  }
}
