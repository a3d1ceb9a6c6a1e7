package dev.geneva.cloud.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.InvalidInputException;
import dev.geneva.cloud.aws.iam.EksIamDocuments;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The generated documents equal the deployment guide's, with its placeholders filled in. */
class EksIamDocumentsTest {
  static final String CLUSTER_ARN = "arn:aws:eks:us-east-1:123456789012:cluster/geneva";
  static final String OIDC = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
  static final String ROLE = "arn:aws:iam::123456789012:role/geneva-client-role";

  final EksIamDocuments docs =
      EksIamDocuments.builder()
          .bucket("lance-data")
          .clusterArn(CLUSTER_ARN)
          .oidcProvider("https://" + OIDC)
          .build();

  /** A guide snippet (copied verbatim into test resources) with its placeholders filled in. */
  static String guide(String name) throws IOException {
    try (InputStream in =
        EksIamDocumentsTest.class.getResourceAsStream("/deployment-guide/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .replace("<your eks cluster arn>", CLUSTER_ARN)
          .replace("<your storage bucket>", "lance-data")
          .replace("<OIDC Provider ARN>", "arn:aws:iam::123456789012:oidc-provider/" + OIDC)
          .replace("<OIDC Provider>", OIDC)
          .replace("$NAMESPACE", "geneva")
          .replace("$KSA_NAME", "geneva-ray-runner")
          .replace("$CLUSTER", "geneva")
          .replace("<your geneva client role ARN>", ROLE);
    }
  }

  static String squash(String json) {
    return json.replaceAll("\\s+", "");
  }

  @Test
  void clientRolePolicy_whenGenerated_equalsGuidePolicy() throws IOException {
    assertThat(squash(docs.clientRolePolicy())).isEqualTo(squash(guide("client-role-policy.json")));
  }

  @Test
  void serviceAccountRolePolicy_whenGenerated_equalsGuidePolicy() throws IOException {
    assertThat(squash(docs.serviceAccountRolePolicy()))
        .isEqualTo(squash(guide("service-account-role-policy.json")));
  }

  @Test
  void serviceAccountTrustPolicy_whenGenerated_equalsGuideTrustPolicy() throws IOException {
    assertThat(squash(docs.serviceAccountTrustPolicy()))
        .isEqualTo(squash(guide("service-account-trust-policy.json")));
    assertThat(docs.oidcProviderArn()).isEqualTo("arn:aws:iam::123456789012:oidc-provider/" + OIDC);
  }

  @Test
  void accessEntryCommands_whenGenerated_equalGuideCommands() throws IOException {
    String expected = guide("access-entry.sh").strip();

    assertThat(docs.createAccessEntryCommand(ROLE) + "\n" + docs.associateAccessPolicyCommand(ROLE))
        .isEqualTo(expected);
  }

  @Test
  void serviceAccountTrustPolicy_whenOtherNamespace_namesItsServiceAccount() {
    String policy =
        docs.toBuilder().namespace("ml").serviceAccount("ray").build().serviceAccountTrustPolicy();

    assertThat(policy).contains("\"" + OIDC + ":sub\": \"system:serviceaccount:ml:ray\"");
  }

  @Test
  void clientRoleTrustPolicy_whenPrincipalGiven_allowsItToAssumeRole() {
    assertThat(squash(docs.clientRoleTrustPolicy("arn:aws:iam::123456789012:user/alice")))
        .isEqualTo(
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
                + "{\"AWS\":\"arn:aws:iam::123456789012:user/alice\"},\"Action\":\"sts:AssumeRole\"}]}");
  }

  @Test
  void build_whenInputsMalformed_namesSettingAndFix() {
    assertThatThrownBy(() -> docs.toBuilder().bucket("s3://lance-data").build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("bucket 's3://lance-data'")
        .hasMessageContaining("bare name");
    assertThatThrownBy(() -> docs.toBuilder().clusterArn("geneva").build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("clusterArn 'geneva' is not an EKS cluster ARN");
    assertThatThrownBy(() -> docs.toBuilder().oidcProvider(null).build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("oidcProvider");
    assertThatThrownBy(() -> docs.createAccessEntryCommand(" "))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("clientRoleArn is not set");
  }
}
