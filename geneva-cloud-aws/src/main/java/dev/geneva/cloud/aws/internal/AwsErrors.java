package dev.geneva.cloud.aws.internal;

import dev.geneva.GenevaException;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Turns AWS SDK failures into {@link GenevaException}s that name the role, cluster or setting and
 * the deployment-guide step that fixes it. Messages carry AWS error codes and ARNs, never keys or
 * tokens. Not API.
 */
public final class AwsErrors {
  private static final Set<String> EXPIRED =
      Set.of("ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired");
  private static final Set<String> BAD_CREDENTIALS =
      Set.of("InvalidClientTokenId", "SignatureDoesNotMatch", "UnrecognizedClientException");

  private AwsErrors() {}

  /**
   * A failed {@code AssumeRole}.
   *
   * @param roleArn the role
   * @param caller names the base identity (may call STS; failures there are ignored)
   * @param e the failure
   * @return the exception to throw
   */
  public static GenevaException assumeRoleFailed(
      String roleArn, Supplier<String> caller, AwsServiceException e) {
    String code = code(e);
    if ("AccessDenied".equals(code) || "AccessDeniedException".equals(code)) {
      String who = callerOrUnknown(caller);
      return new GenevaException(
          "Cannot assume IAM role "
              + roleArn
              + " as "
              + who
              + " (AccessDenied). The role's trust policy must allow sts:AssumeRole by "
              + who
              + ", and that principal needs an IAM policy allowing sts:AssumeRole on "
              + roleArn
              + " (deployment guide: 'Environment IAM Principal' and 'Create Geneva Client IAM"
              + " Role'; EksIamDocuments.clientRoleTrustPolicy(..) generates the trust policy)",
          e);
    }
    return credentialsProblem("STS AssumeRole of " + roleArn, e);
  }

  /**
   * A failed {@code GetCallerIdentity} (done to turn a role name into an ARN).
   *
   * @param roleName the role name
   * @param e the failure
   * @return the exception to throw
   */
  public static GenevaException callerIdentityFailed(String roleName, AwsServiceException e) {
    return credentialsProblem(
        "STS GetCallerIdentity (to find the account of role '" + roleName + "')", e);
  }

  /**
   * A failed EKS {@code DescribeCluster}.
   *
   * @param cluster the cluster name
   * @param region the region
   * @param principal the role or identity used
   * @param e the failure
   * @return the exception to throw
   */
  public static GenevaException describeClusterFailed(
      String cluster, String region, String principal, AwsServiceException e) {
    String code = code(e);
    if ("ResourceNotFoundException".equals(code) || e.statusCode() == 404) {
      return new GenevaException(
          "EKS cluster '"
              + cluster
              + "' was not found in region "
              + region
              + ". Check EksAuth clusterName and region (cluster_name, region); list the clusters"
              + " with: aws eks list-clusters --region "
              + region,
          e);
    }
    if ("AccessDeniedException".equals(code) || e.statusCode() == 403) {
      return new GenevaException(
          principal
              + " may not call eks:DescribeCluster on EKS cluster '"
              + cluster
              + "' ("
              + code
              + "). Attach the Geneva client role policy, which allows eks:DescribeCluster and"
              + " eks:AccessKubernetesApi on the cluster ARN (deployment guide: 'Create Geneva"
              + " Client IAM Role'; EksIamDocuments.clientRolePolicy() generates it)",
          e);
    }
    return credentialsProblem("EKS DescribeCluster of '" + cluster + "' in " + region, e);
  }

  /**
   * Any other failure of a call: no credentials, no network.
   *
   * @param call what was called
   * @param e the failure
   * @return the exception to throw
   */
  public static GenevaException callFailed(String call, RuntimeException e) {
    if (e instanceof GenevaException g) {
      return g;
    }
    if (e instanceof AwsServiceException ase) {
      return credentialsProblem(call, ase);
    }
    if (e instanceof SdkClientException
        && String.valueOf(e.getMessage()).contains("Unable to load credentials")) {
      return new GenevaException(
          call
              + " failed: no AWS credentials were found. Set AWS_PROFILE (or AWS_ACCESS_KEY_ID and"
              + " AWS_SECRET_ACCESS_KEY), run on an instance or pod with an IAM role, or pass"
              + " EksAuth.builder().credentialsProvider(..) (deployment guide: 'Environment IAM"
              + " Principal')",
          e);
    }
    return new GenevaException(call + " failed: " + e.getClass().getSimpleName(), e);
  }

  private static GenevaException credentialsProblem(String call, AwsServiceException e) {
    String code = code(e);
    if (EXPIRED.contains(code)) {
      return new GenevaException(
          call
              + " failed: the AWS credentials have expired ("
              + code
              + "). Refresh them (for example aws sso login, or a new AWS_SESSION_TOKEN), or pass a"
              + " refreshing provider to EksAuth.builder().credentialsProvider(..)",
          e);
    }
    if (BAD_CREDENTIALS.contains(code)) {
      return new GenevaException(
          call
              + " failed: AWS rejected the credentials ("
              + code
              + "). Check the access key and secret of the environment's IAM principal"
              + " (deployment guide: 'Environment IAM Principal')",
          e);
    }
    return new GenevaException(
        call + " failed with " + code + " (HTTP " + e.statusCode() + "): " + message(e), e);
  }

  private static String code(AwsServiceException e) {
    return e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null
        ? "HTTP " + e.statusCode()
        : e.awsErrorDetails().errorCode();
  }

  private static String message(AwsServiceException e) {
    return e.awsErrorDetails() == null
        ? String.valueOf(e.getMessage())
        : e.awsErrorDetails().errorMessage();
  }

  private static String callerOrUnknown(Supplier<String> caller) {
    try {
      String who = caller.get();
      return who == null ? "the caller" : who;
    } catch (RuntimeException ignored) {
      return "the caller (its ARN could not be read with sts:GetCallerIdentity)";
    }
  }
}
