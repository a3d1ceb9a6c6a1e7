package dev.geneva.k8s;

import dev.geneva.k8s.internal.Fabric8PortForwarder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetSocketAddress;

/**
 * Opens a local port that reaches a port of a pod. The default, {@link #fabric8()}, uses the API
 * server's {@code portforward} subresource (one websocket per connection), as {@code kubectl
 * port-forward} does; another implementation can tunnel differently.
 */
@FunctionalInterface
public interface PortForwarder {

  /**
   * Starts forwarding a local port to a pod's port.
   *
   * @param client the client of the cluster
   * @param namespace the pod's namespace
   * @param pod the pod's name
   * @param remotePort the pod's port, e.g. 8265 for the Ray dashboard
   * @return the open forward; close it to stop
   */
  Forward open(KubernetesClient client, String namespace, String pod, int remotePort);

  /** An open forward. */
  interface Forward extends AutoCloseable {
    /**
     * The local end, on the loopback interface.
     *
     * @return the address and port
     */
    InetSocketAddress localAddress();

    /** Stops forwarding; idempotent. */
    @Override
    void close();
  }

  /**
   * fabric8's port-forward over the API server.
   *
   * @return the forwarder
   */
  static PortForwarder fabric8() {
    return new Fabric8PortForwarder();
  }
}
