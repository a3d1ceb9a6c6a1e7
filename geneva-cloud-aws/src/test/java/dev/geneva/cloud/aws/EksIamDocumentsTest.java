package dev.geneva.cloud.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.geneva.InvalidInputException;
import dev.geneva.cloud.aws.iam.EksIamDocuments;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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

  @Test
  void serviceAccountTrustPolicy_whenOidcProviderGivenAsUrlHostPathOrArn_yieldsOnePrincipal() {
    String arn = "arn:aws:iam::123456789012:oidc-provider/" + OIDC;
    List<String> policies = new ArrayList<>();
    for (String form : List.of("https://" + OIDC, OIDC, OIDC + "/", arn)) {
      EksIamDocuments d = docs.toBuilder().oidcProvider(form).build();
      assertThat(d.oidcProviderArn()).as(form).isEqualTo(arn);
      assertThat(d.oidcProvider()).as(form).isEqualTo(OIDC);
      policies.add(d.serviceAccountTrustPolicy());
    }

    assertThat(policies).containsOnly(docs.serviceAccountTrustPolicy());
    assertThat(policies.get(3))
        .contains("\"Federated\": \"" + arn + "\"")
        .contains("\"" + OIDC + ":sub\"")
        .doesNotContain("oidc-provider/arn:")
        .doesNotContain("\"arn:aws:iam::123456789012:oidc-provider/" + OIDC + ":aud\"");
  }

  @Test
  void oidcProviderArn_whenArnFromAnotherAccount_keepsThatAccount() {
    EksIamDocuments d =
        docs.toBuilder().oidcProvider("arn:aws:iam::210987654321:oidc-provider/" + OIDC).build();

    assertThat(d.oidcProviderArn()).isEqualTo("arn:aws:iam::210987654321:oidc-provider/" + OIDC);
    assertThat(d.toBuilder().build().oidcProviderArn()).isEqualTo(d.oidcProviderArn());
  }

  @Test
  void documents_whenChinaCluster_useAwsCnPartitionEverywhere() {
    String oidc = "oidc.eks.cn-north-1.amazonaws.com.cn/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
    EksIamDocuments cn =
        EksIamDocuments.builder()
            .bucket("lance-data")
            .clusterArn("arn:aws-cn:eks:cn-north-1:123456789012:cluster/geneva")
            .oidcProvider("https://" + oidc)
            .build();
    String role = "arn:aws-cn:iam::123456789012:role/geneva-client-role";

    assertThat(cn.partition()).isEqualTo("aws-cn");
    assertThat(cn.clientRolePolicy())
        .contains("\"arn:aws-cn:s3:::lance-data\"")
        .contains("\"arn:aws-cn:s3:::lance-data/*\"")
        .doesNotContain("arn:aws:");
    assertThat(cn.serviceAccountTrustPolicy())
        .contains("\"arn:aws-cn:iam::123456789012:oidc-provider/" + oidc + "\"")
        .doesNotContain("arn:aws:");
    assertThat(cn.associateAccessPolicyCommand(role))
        .endsWith(
            "--policy-arn arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy");
    assertThat(cn.createAccessEntryCommand(role)).contains("--principal-arn " + role);
  }

  @Test
  void documents_whenGovCloudClusterAndOidcArn_useAwsUsGovPartition() {
    String oidc = "oidc.eks.us-gov-west-1.amazonaws.com/id/EXAMPLE";
    EksIamDocuments gov =
        EksIamDocuments.builder()
            .bucket("lance-data")
            .clusterArn("arn:aws-us-gov:eks:us-gov-west-1:123456789012:cluster/geneva")
            .oidcProvider("arn:aws-us-gov:iam::123456789012:oidc-provider/" + oidc)
            .build();

    assertThat(gov.partition()).isEqualTo("aws-us-gov");
    assertThat(gov.oidcProviderArn())
        .isEqualTo("arn:aws-us-gov:iam::123456789012:oidc-provider/" + oidc);
    assertThat(gov.serviceAccountRolePolicy()).contains("arn:aws-us-gov:s3:::lance-data");
    assertThat(gov.clusterAdminAccessPolicyArn())
        .isEqualTo("arn:aws-us-gov:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy");
  }

  @Test
  void partitionOfRegion_whenRegionPrefixed_namesItsPartition() {
    assertThat(EksIamDocuments.partitionOfRegion("us-east-1")).isEqualTo("aws");
    assertThat(EksIamDocuments.partitionOfRegion("cn-northwest-1")).isEqualTo("aws-cn");
    assertThat(EksIamDocuments.partitionOfRegion("us-gov-east-1")).isEqualTo("aws-us-gov");
    assertThat(EksIamDocuments.partitionOfRegion("us-iso-east-1")).isEqualTo("aws-iso");
    assertThat(EksIamDocuments.partitionOfRegion("us-isob-east-1")).isEqualTo("aws-iso-b");
  }

  @Test
  void build_whenPartitionsDisagree_namesBothAndTheFix() {
    assertThatThrownBy(
            () ->
                docs.toBuilder()
                    .clusterArn("arn:aws:eks:cn-north-1:123456789012:cluster/geneva")
                    .build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining(
            "names partition 'aws' but region cn-north-1 is in partition 'aws-cn'");
    assertThatThrownBy(
            () ->
                docs.toBuilder()
                    .oidcProvider("arn:aws-cn:iam::123456789012:oidc-provider/" + OIDC)
                    .build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("is in partition 'aws-cn' but the cluster is in 'aws'");
    assertThatThrownBy(
            () ->
                docs.toBuilder()
                    .oidcProvider("arn:aws:iam::123456789012:role/not-a-provider")
                    .build())
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("not an IAM OIDC provider's");
    assertThatThrownBy(
            () -> docs.createAccessEntryCommand("arn:aws-cn:iam::123456789012:role/geneva-client"))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("clientRoleArn")
        .hasMessageContaining("use an ARN that starts with arn:aws:");
  }
}
