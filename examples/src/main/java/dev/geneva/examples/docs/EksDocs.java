package dev.geneva.examples.docs;

import dev.geneva.cloud.aws.iam.EksIamDocuments;
import dev.geneva.k8s.admin.RayClusterManifests;

/** Code of {@code docs/eks.md}. */
public final class EksDocs {
  private EksDocs() {}

  /**
   * The IAM documents and commands.
   *
   * @return the documents
   */
  public static EksIamDocuments iamDocuments() {
    // docs:begin eks-iam
    EksIamDocuments iam =
        EksIamDocuments.builder()
            .bucket("my-lance-bucket")
            .clusterArn("arn:aws:eks:us-east-1:123456789012:cluster/geneva")
            .oidcProvider(
                "https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE")
            .namespace("geneva")
            .serviceAccount("geneva-ray-runner")
            .build();
    String clientRoleArn = "arn:aws:iam::123456789012:role/geneva-client-role";

    System.out.println(iam.clientRolePolicy()); // Geneva client role: permissions
    System.out.println(iam.clientRoleTrustPolicy("arn:aws:iam::123456789012:user/alice"));
    System.out.println(iam.serviceAccountRolePolicy()); // Ray pods' role: permissions
    System.out.println(iam.serviceAccountTrustPolicy()); // OIDC provider, this namespace and KSA
    System.out.println(iam.createAccessEntryCommand(clientRoleArn));
    System.out.println(iam.associateAccessPolicyCommand(clientRoleArn));
    // docs:end eks-iam
    return iam;
  }

  /**
   * The service account annotated for IRSA.
   *
   * @return the manifests
   */
  public static RayClusterManifests manifests() {
    // docs:begin eks-manifests
    RayClusterManifests manifests =
        RayClusterManifests.builder()
            .namespace("geneva")
            .serviceAccountName("geneva-ray-runner")
            .eksRoleArn("arn:aws:iam::123456789012:role/geneva-ray-runner")
            .build();
    // docs:end eks-manifests
    return manifests;
  }
}
