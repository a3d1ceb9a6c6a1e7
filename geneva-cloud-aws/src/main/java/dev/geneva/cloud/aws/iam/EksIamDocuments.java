package dev.geneva.cloud.aws.iam;

import dev.geneva.InvalidInputException;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 *
 * <p>Every ARN the documents contain is in the cluster's partition, read from its ARN ({@code
 * arn:aws-cn:eks:cn-north-1:...} gives {@code aws-cn}, {@code arn:aws-us-gov:...} gives {@code
 * aws-us-gov}) and checked against its region ({@code cn-*} is {@code aws-cn}, {@code us-gov-*} is
 * {@code aws-us-gov}). The OIDC provider may be given as its issuer URL, as the issuer without
 * {@code https://}, or as the IAM OIDC provider's ARN; all three give the same trust policy.
 */
public final class EksIamDocuments {
  /** The namespace used unless {@link Builder#namespace} sets one. */
  public static final String DEFAULT_NAMESPACE = "geneva";

  /** The Kubernetes service account used unless {@link Builder#serviceAccount} sets one. */
  public static final String DEFAULT_SERVICE_ACCOUNT = "geneva-ray-runner";

  /**
   * The EKS access policy the guide associates with the client role, in the {@code aws} partition;
   * {@link #clusterAdminAccessPolicyArn()} gives it in the cluster's partition.
   */
  public static final String CLUSTER_ADMIN_ACCESS_POLICY =
      "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

  private static final Pattern CLUSTER_ARN =
      Pattern.compile("arn:(aws[a-z-]*):eks:([a-z0-9-]+):(\\d{12}):cluster/(.+)");
  private static final Pattern OIDC_PROVIDER_ARN =
      Pattern.compile("arn:(aws[a-z-]*):iam::(\\d{12}):oidc-provider/(.+)");
  private static final Pattern ARN_PARTITION = Pattern.compile("arn:([^:]+):.*");

  private final String bucket;
  private final String clusterArn;
  private final String oidcProvider;
  private final String oidcProviderAccount;
  private final String namespace;
  private final String serviceAccount;

  private EksIamDocuments(Builder b) {
    this.bucket = b.bucket;
    this.clusterArn = b.clusterArn;
    this.oidcProvider = b.oidcProviderHostPath;
    this.oidcProviderAccount = b.oidcProviderAccount;
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
        .oidcProvider(
            oidcProviderAccount == null
                ? oidcProvider
                : "arn:"
                    + partition()
                    + ":iam::"
                    + oidcProviderAccount
                    + ":oidc-provider/"
                    + oidcProvider)
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
   * The AWS partition of the cluster, taken from its ARN: {@code aws}, {@code aws-cn}, {@code
   * aws-us-gov}, ... Every ARN in the documents uses it.
   *
   * @return the partition
   */
  public String partition() {
    return clusterArn.split(":")[1];
  }

  /**
   * The cluster's region, taken from its ARN.
   *
   * @return e.g. {@code us-east-1}
   */
  public String region() {
    return clusterArn.split(":")[3];
  }

  /**
   * The cluster's OIDC issuer without {@code https://}: what the trust policy's condition keys
   * start with.
   *
   * @return e.g. {@code oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE}
   */
  public String oidcProvider() {
    return oidcProvider;
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
   * arn:<partition>:iam::<account>:oidc-provider/<provider>}, in the account of the ARN given to
   * {@link Builder#oidcProvider} (a role in another account than the cluster's trusts a provider
   * created there), else in the cluster's account.
   *
   * @return the ARN
   */
  public String oidcProviderArn() {
    return "arn:"
        + partition()
        + ":iam::"
        + (oidcProviderAccount != null ? oidcProviderAccount : accountId())
        + ":oidc-provider/"
        + oidcProvider;
  }

  /**
   * The EKS access policy the guide associates with the client role, in the cluster's partition.
   *
   * @return e.g. {@code arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy}
   */
  public String clusterAdminAccessPolicyArn() {
    return "arn:" + partition() + ":eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";
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
    samePartition(principalArn, "principalArn");
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
    samePartition(clientRoleArn, "clientRoleArn");
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
    samePartition(clientRoleArn, "clientRoleArn");
    return "aws eks associate-access-policy --cluster-name "
        + clusterName()
        + " --principal-arn "
        + clientRoleArn
        + " --access-scope type=cluster --policy-arn "
        + clusterAdminAccessPolicyArn();
  }

  private String rolePolicy(boolean client) {
    String bucketArn = "arn:" + partition() + ":s3:::" + bucket;
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

  /** An ARN outside the cluster's partition would never match: say so rather than emit it. */
  private void samePartition(String arn, String name) {
    Matcher m = ARN_PARTITION.matcher(arn);
    if (m.matches() && !m.group(1).equals(partition())) {
      throw new InvalidInputException(
          "EksIamDocuments "
              + name
              + " '"
              + arn
              + "' is in partition '"
              + m.group(1)
              + "' but the cluster "
              + clusterArn
              + " is in '"
              + partition()
              + "': IAM principals of one partition cannot act in another; use an ARN that"
              + " starts with arn:"
              + partition()
              + ":");
    }
  }

  /**
   * The partition a region belongs to, by its prefix.
   *
   * @param region e.g. {@code cn-north-1}
   * @return {@code aws-cn} for {@code cn-*}, {@code aws-us-gov} for {@code us-gov-*}, {@code
   *     aws-iso} for {@code us-iso-*}, {@code aws-iso-b} for {@code us-isob-*}, {@code aws-iso-e}
   *     for {@code eu-isoe-*}, {@code aws-iso-f} for {@code us-isof-*}, else {@code aws}
   */
  public static String partitionOfRegion(String region) {
    Objects.requireNonNull(region, "region");
    if (region.startsWith("cn-")) {
      return "aws-cn";
    }
    if (region.startsWith("us-gov-")) {
      return "aws-us-gov";
    }
    if (region.startsWith("us-isob-")) {
      return "aws-iso-b";
    }
    if (region.startsWith("us-isof-")) {
      return "aws-iso-f";
    }
    if (region.startsWith("eu-isoe-")) {
      return "aws-iso-e";
    }
    if (region.startsWith("us-iso-")) {
      return "aws-iso";
    }
    return "aws";
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
    private String oidcProviderHostPath;
    private String oidcProviderAccount;
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
     * The cluster's OIDC provider, in any of the forms AWS prints it: the issuer URL ({@code aws
     * eks describe-cluster --query cluster.identity.oidc.issuer}), the issuer without {@code
     * https://}, or the IAM OIDC provider's ARN ({@code aws iam list-open-id-connect-providers}).
     *
     * @param oidcProvider e.g. {@code https://oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE}, {@code
     *     oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE} or {@code
     *     arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE}
     * @return this builder
     */
    public Builder oidcProvider(String oidcProvider) {
      this.oidcProvider = oidcProvider;
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
      Matcher cluster = clusterArn == null ? null : CLUSTER_ARN.matcher(clusterArn);
      if (cluster == null || !cluster.matches()) {
        throw new InvalidInputException(
            "EksIamDocuments clusterArn '"
                + clusterArn
                + "' is not an EKS cluster ARN: use arn:<partition>:eks:<region>:<account>:"
                + "cluster/<name>, e.g. arn:aws:eks:us-east-1:123456789012:cluster/geneva (aws eks"
                + " describe-cluster --name <name> --query cluster.arn)");
      }
      String partition = cluster.group(1);
      String region = cluster.group(2);
      if (!partition.equals(partitionOfRegion(region))) {
        throw new InvalidInputException(
            "EksIamDocuments clusterArn '"
                + clusterArn
                + "' names partition '"
                + partition
                + "' but region "
                + region
                + " is in partition '"
                + partitionOfRegion(region)
                + "': copy the ARN from aws eks describe-cluster --query cluster.arn");
      }
      normalizeOidcProvider(partition);
      require(namespace, "namespace", "the Ray pods' namespace");
      require(serviceAccount, "serviceAccount", "the Ray pods' service account");
      Objects.requireNonNull(namespace);
      return new EksIamDocuments(this);
    }

    /** Turns any accepted form of the OIDC provider into host/path and, for an ARN, its account. */
    private void normalizeOidcProvider(String partition) {
      String usage =
          "' is not set or malformed: pass the cluster's OIDC issuer"
              + " (https://oidc.eks.<region>.amazonaws.com/id/<ID>, with or without https://) or"
              + " its IAM OIDC provider ARN"
              + " (arn:"
              + partition
              + ":iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<ID>)";
      String value = oidcProvider == null ? null : oidcProvider.strip();
      if (value == null || value.isEmpty()) {
        throw new InvalidInputException("EksIamDocuments oidcProvider '" + oidcProvider + usage);
      }
      String account = null;
      if (value.startsWith("arn:")) {
        Matcher arn = OIDC_PROVIDER_ARN.matcher(value);
        if (!arn.matches()) {
          throw new InvalidInputException(
              "EksIamDocuments oidcProvider '"
                  + oidcProvider
                  + "' is an ARN but not an IAM OIDC provider's: expected arn:"
                  + partition
                  + ":iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<ID>");
        }
        if (!arn.group(1).equals(partition)) {
          throw new InvalidInputException(
              "EksIamDocuments oidcProvider '"
                  + oidcProvider
                  + "' is in partition '"
                  + arn.group(1)
                  + "' but the cluster is in '"
                  + partition
                  + "': use the provider created for this cluster");
        }
        account = arn.group(2);
        value = arn.group(3);
      } else if (value.startsWith("https://")) {
        value = value.substring("https://".length());
      }
      while (value.endsWith("/")) {
        value = value.substring(0, value.length() - 1);
      }
      if (value.isEmpty()
          || value.contains("://")
          || value.startsWith("arn:")
          || value.chars().anyMatch(Character::isWhitespace)
          || value.indexOf('/') <= 0) {
        throw new InvalidInputException("EksIamDocuments oidcProvider '" + oidcProvider + usage);
      }
      oidcProviderHostPath = value;
      oidcProviderAccount = account;
    }
  }
}
