package dev.geneva.cloud.gcp;

/**
 * Which of a GKE cluster's control-plane endpoints {@link GkeAuth} connects to. GKE reports them in
 * the cluster resource: the DNS endpoint ({@code
 * controlPlaneEndpointsConfig.dnsEndpointConfig.endpoint}, e.g. {@code
 * gke-0123abcd.us-central1.gke.goog}), the public IP ({@code ipEndpointsConfig.publicEndpoint}, or
 * the legacy {@code endpoint}) and the private IP ({@code privateClusterConfig.privateEndpoint}).
 * The choices mirror {@code gcloud container clusters get-credentials} and its {@code
 * --dns-endpoint} and {@code --internal-ip} flags.
 *
 * <p>The IP endpoints present a certificate of the cluster's own CA ({@code
 * masterAuth.clusterCaCertificate}), which Geneva then trusts alone; the DNS endpoint presents a
 * certificate of a public CA, so Geneva uses the JVM's default trust store for it and does not pin
 * the cluster CA (as gcloud writes no {@code certificate-authority-data} for it).
 */
public enum GkeEndpoint {
  /**
   * What gcloud picks without flags, the default: the DNS endpoint when the cluster's IP endpoints
   * are disabled ({@code controlPlaneEndpointsConfig.ipEndpointsConfig.enabled} is not true),
   * otherwise the cluster's {@code endpoint} (its public IP, or its private IP when the cluster has
   * only a private endpoint).
   */
  AUTO,

  /**
   * The DNS endpoint, like {@code --dns-endpoint}: reachable from anywhere Google's APIs are, and
   * not subject to authorized networks, but only when the cluster allows user traffic over it
   * ({@code dnsEndpointConfig.allowExternalTraffic}: {@code gcloud container clusters update <name>
   * --enable-dns-access}).
   */
  DNS,

  /**
   * The public IP endpoint; fails when IP endpoints are disabled or the cluster has no public
   * endpoint ({@code ipEndpointsConfig.enablePublicEndpoint=false} or {@code
   * privateClusterConfig.enablePrivateEndpoint=true}).
   */
  PUBLIC_IP,

  /**
   * The private IP endpoint, like {@code --internal-ip}: for clients inside the cluster's VPC (or a
   * peered or VPN-connected network); fails when IP endpoints are disabled or the cluster reports
   * no private endpoint.
   */
  PRIVATE_IP
}
