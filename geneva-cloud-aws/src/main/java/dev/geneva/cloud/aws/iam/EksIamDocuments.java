package dev.geneva.cloud.aws.iam;

import dev.geneva.InvalidInputException;
import java.util.Objects;

/**
 * The IAM documents and {@code aws eks} commands of the deployment guide's "Geneva on AWS EKS"
 * section, generated from the bucket, cluster, OIDC provider, namespace and service account, so
 * admins (or Terraform/CDK code) need not edit JSON by hand.
 *
 * <pre>{@code
 * EksIamDocuments docs = EksIamDocuments.builder()
 *     .bucket("my-lance-bucket")
 *     .clusterArn("arn:aws:eks:us-east-1:123456789012:cluster/geneva")
 *     .oidcProvider("oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE")
 *     .build();
 * String policy = docs.clientRolePolicy();
 * }</pre>
 */
public final class EksIamDocuments {
  /** The namespace used unless {@link Builder#namespace} sets one. */
  public static final String DEFAULT_NAMESPACE = "geneva";

  /** The Kubernetes service account used unless {@link Builder#serviceAccount} sets one. */
  public static final String DEFAULT_SERVICE_ACCOUNT = "geneva-ray-runner";

  /** The EKS access policy the guide associates with the client role. */
  public static final String CLUSTER_ADMIN_ACCESS_POLICY =
      "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

  private final String bucket;
  private final String clusterArn;
  private final String oidcProvider;
  private final String namespace;
  private final String serviceAccount;

  private EksIamDocuments(Builder b) {
    this.bucket = b.bucket;
    this.clusterArn = b.clusterArn;
    this.oidcProvider = b.oidcProvider;
    this.namespace = b.namespace;
    this.serviceAccount = b.serviceAccount;
  }

  /**
   * Starts a set of documents.
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
        .bucket(bucket)
        .clusterArn(clusterArn)
        .oidcProvider(oidcProvider)
        .namespace(namespace)
        .serviceAccount(serviceAccount);
  }

  /**
   * The EKS cluster's name, taken from its ARN.
   *
   * @return the name
   */
  public String clusterName() {
    return clusterArn.substring(clusterArn.indexOf(":cluster/") + ":cluster/".length());
  }

  /**
   * The account that owns the cluster, taken from its ARN.
   *
   * @return the 12-digit account id
   */
  public String accountId() {
    return clusterArn.split(":")[4];
  }

  /**
   * The ARN of the cluster's IAM OIDC provider: {@code
   * arn:<partition>:iam::<account>:oidc-provider/<provider>}.
   *
   * @return the ARN
   */
  public String oidcProviderArn() {
    return "arn:"
        + clusterArn.split(":")[1]
        + ":iam::"
        + accountId()
        + ":oidc-provider/"
        + oidcProvider;
  }

  /**
   * The Geneva client role's permissions (guide: "Create Geneva Client IAM Role"): describe and
   * access the cluster, list the bucket, read and write its objects.
   *
   * @return the policy JSON
   */
  public String clientRolePolicy() {
    return rolePolicy(true);
  }

  /**
   * The client role's trust policy: lets {@code principalArn} (the environment's IAM principal: a
   * user, an SSO role, an instance role) call {@code sts:AssumeRole} on it.
   *
   * @param principalArn the principal that runs the Geneva client
   * @return the trust policy JSON
   */
  public String clientRoleTrustPolicy(String principalArn) {
    require(principalArn, "principalArn", "the ARN of the IAM principal that runs Geneva");
    return "{\n"
        + "  \"Version\": \"2012-10-17\",\n"
        + "  \"Statement\": [\n"
        + "    {\n"
        + "      \"Effect\": \"Allow\",\n"
        + "      \"Principal\": {\n"
        + "        \"AWS\": "
        + quote(principalArn)
        + "\n"
        + "      },\n"
        + "      \"Action\": \"sts:AssumeRole\"\n"
        + "    }\n"
        + "  ]\n"
        + "}\n";
  }

  /**
   * The Ray pods' service-account role permissions (guide: "Create Geneva Service Account IAM
   * Role"): describe the cluster, list the bucket, read and write its objects.
   *
   * @return the policy JSON
   */
  public String serviceAccountRolePolicy() {
    return rolePolicy(false);
  }

  /**
   * The service-account role's trust policy: the cluster's OIDC provider may assume it for {@code
   * system:serviceaccount:<namespace>:<service account>} with audience {@code sts.amazonaws.com}.
   *
   * @return the trust policy JSON
   */
  public String serviceAccountTrustPolicy() {
    return "{\n"
        + "  \"Version\": \"2012-10-17\",\n"
        + "  \"Statement\": [\n"
        + "    {\n"
        + "      \"Effect\": \"Allow\",\n"
        + "      \"Principal\": {\n"
        + "        \"Federated\": "
        + quote(oidcProviderArn())
        + "\n"
        + "      },\n"
        + "      \"Action\": \"sts:AssumeRoleWithWebIdentity\",\n"
        + "      \"Condition\": {\n"
        + "        \"StringEquals\": {\n"
        + "          "
        + quote(oidcProvider + ":aud")
        + ": \"sts.amazonaws.com\",\n"
        + "          "
        + quote(oidcProvider + ":sub")
        + ": "
        + quote("system:serviceaccount:" + namespace + ":" + serviceAccount)
        + "\n"
        + "        }\n"
        + "      }\n"
        + "    }\n"
        + "  ]\n"
        + "}\n";
  }

  /**
   * The guide's {@code aws eks create-access-entry} command for the client role.
   *
   * @param clientRoleArn the Geneva client role's ARN
   * @return the command line
   */
  public String createAccessEntryCommand(String clientRoleArn) {
    require(clientRoleArn, "clientRoleArn", "the Geneva client role's ARN");
    return "aws eks create-access-entry --cluster-name "
        + clusterName()
        + " --principal-arn "
        + clientRoleArn
        + " --type STANDARD";
  }

  /**
   * The guide's {@code aws eks associate-access-policy} command, granting the client role {@link
   * #CLUSTER_ADMIN_ACCESS_POLICY} on the whole cluster.
   *
   * @param clientRoleArn the Geneva client role's ARN
   * @return the command line
   */
  public String associateAccessPolicyCommand(String clientRoleArn) {
    require(clientRoleArn, "clientRoleArn", "the Geneva client role's ARN");
    return "aws eks associate-access-policy --cluster-name "
        + clusterName()
        + " --principal-arn "
        + clientRoleArn
        + " --access-scope type=cluster --policy-arn "
        + CLUSTER_ADMIN_ACCESS_POLICY;
  }

  private String rolePolicy(boolean client) {
    String bucketArn = "arn:" + clusterArn.split(":")[1] + ":s3:::" + bucket;
    return "{\n"
        + "  \"Version\": \"2012-10-17\",\n"
        + "  \"Statement\": [\n"
        + "    {\n"
        + "      \"Sid\": \"ClusterAccess\",\n"
        + "      \"Action\": [\n"
        + (client
            ? "        \"eks:DescribeCluster\",\n        \"eks:AccessKubernetesApi\"\n"
            : "        \"eks:DescribeCluster\"\n")
        + "      ],\n"
        + "      \"Effect\": \"Allow\",\n"
        + "      \"Resource\": "
        + quote(clusterArn)
        + "\n"
        + "    },\n"
        + "    {\n"
        + "      \"Sid\": \"AllowListBucket\",\n"
        + "      \"Effect\": \"Allow\",\n"
        + "      \"Action\": [\n"
        + "        \"s3:ListBucket\"\n"
        + "      ],\n"
        + "      \"Resource\": "
        + quote(bucketArn)
        + "\n"
        + "    },\n"
        + "    {\n"
        + "      \"Sid\": \"AllowAllS3ObjectActions\",\n"
        + "      \"Effect\": \"Allow\",\n"
        + "      \"Action\": [\n"
        + "        \"s3:GetObject\",\n"
        + "        \"s3:PutObject\",\n"
        + "        \"s3:DeleteObject\",\n"
        + "        \"s3:HeadObject\"\n"
        + "      ],\n"
        + "      \"Resource\": "
        + quote(bucketArn + "/*")
        + "\n"
        + "    }\n"
        + "  ]\n"
        + "}\n";
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  private static void require(String value, String name, String what) {
    if (value == null || value.isBlank()) {
      throw new InvalidInputException("EksIamDocuments " + name + " is not set: pass " + what);
    }
  }

  @Override
  public String toString() {
    return "EksIamDocuments{bucket="
        + bucket
        + ", cluster="
        + clusterArn
        + ", oidcProvider="
        + oidcProvider
        + ", serviceAccount="
        + namespace
        + "/"
        + serviceAccount
        + "}";
  }

  /** Builds {@link EksIamDocuments}; bucket, cluster ARN and OIDC provider are required. */
  public static final class Builder {
    private String bucket;
    private String clusterArn;
    private String oidcProvider;
    private String namespace = DEFAULT_NAMESPACE;
    private String serviceAccount = DEFAULT_SERVICE_ACCOUNT;

    private Builder() {}

    /**
     * The Lance storage bucket.
     *
     * @param bucket the bucket name, without {@code s3://}
     * @return this builder
     */
    public Builder bucket(String bucket) {
      this.bucket = bucket;
      return this;
    }

    /**
     * The EKS cluster's ARN ({@code aws eks describe-cluster --query cluster.arn}).
     *
     * @param clusterArn e.g. {@code arn:aws:eks:us-east-1:123456789012:cluster/geneva}
     * @return this builder
     */
    public Builder clusterArn(String clusterArn) {
      this.clusterArn = clusterArn;
      return this;
    }

    /**
     * The cluster's OIDC provider: its issuer URL without {@code https://} ({@code aws eks
     * describe-cluster --query cluster.identity.oidc.issuer}).
     *
     * @param oidcProvider e.g. {@code oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE}; a leading
     *     {@code https://} is dropped
     * @return this builder
     */
    public Builder oidcProvider(String oidcProvider) {
      this.oidcProvider =
          oidcProvider != null && oidcProvider.startsWith("https://")
              ? oidcProvider.substring("https://".length())
              : oidcProvider;
      return this;
    }

    /**
     * The namespace of the Ray pods' service account.
     *
     * @param namespace the namespace (default {@value EksIamDocuments#DEFAULT_NAMESPACE})
     * @return this builder
     */
    public Builder namespace(String namespace) {
      this.namespace = namespace;
      return this;
    }

    /**
     * The Ray pods' Kubernetes service account.
     *
     * @param serviceAccount the name (default {@value EksIamDocuments#DEFAULT_SERVICE_ACCOUNT})
     * @return this builder
     */
    public Builder serviceAccount(String serviceAccount) {
      this.serviceAccount = serviceAccount;
      return this;
    }

    /**
     * Checks the settings and builds the documents.
     *
     * @return the documents
     * @throws InvalidInputException naming a missing or malformed setting
     */
    public EksIamDocuments build() {
      if (bucket == null || !bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
        throw new InvalidInputException(
            "EksIamDocuments bucket '"
                + bucket
                + "' is not an S3 bucket name: pass the bare name, e.g. my-lance-bucket (not"
                + " s3://...)");
      }
      if (clusterArn == null || !clusterArn.matches("arn:[\\w-]+:eks:[\\w-]+:\\d{12}:cluster/.+")) {
        throw new InvalidInputException(
            "EksIamDocuments clusterArn '"
                + clusterArn
                + "' is not an EKS cluster ARN: use arn:aws:eks:<region>:<account>:cluster/<name>"
                + " (aws eks describe-cluster --name <name> --query cluster.arn)");
      }
      if (oidcProvider == null || oidcProvider.isBlank() || oidcProvider.contains("://")) {
        throw new InvalidInputException(
            "EksIamDocuments oidcProvider '"
                + oidcProvider
                + "' is not set or malformed: use the cluster's OIDC issuer without https://,"
                + " e.g. oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE");
      }
      require(namespace, "namespace", "the Ray pods' namespace");
      require(serviceAccount, "serviceAccount", "the Ray pods' service account");
      Objects.requireNonNull(namespace);
      return new EksIamDocuments(this);
    }
  }
}
