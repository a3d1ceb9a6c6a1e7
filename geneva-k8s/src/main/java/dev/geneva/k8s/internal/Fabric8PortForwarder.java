package dev.geneva.k8s.internal;

import dev.geneva.k8s.PortForwarder;
import dev.geneva.k8s.RayClusterException;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Port-forward through the API server with fabric8's {@code portForward}. */
public final class Fabric8PortForwarder implements PortForwarder {

  @Override
  public Forward open(KubernetesClient client, String namespace, String pod, int remotePort) {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    LocalPortForward forward;
    try {
      forward =
          client.pods().inNamespace(namespace).withName(pod).portForward(remotePort, loopback, 0);
    } catch (RuntimeException e) {
      throw new RayClusterException(
          "Could not port-forward to port "
              + remotePort
              + " of pod "
              + pod
              + " in namespace "
              + namespace
              + ": the caller needs 'get' on pods/portforward (the websocket upgrade is a GET),"
              + " and from Kubernetes 1.35 also 'create'; "
              + e.getMessage(),
          e);
    }
    InetSocketAddress address = new InetSocketAddress(loopback, forward.getLocalPort());
    return new Forward() {
      private volatile boolean closed;

      @Override
      public InetSocketAddress localAddress() {
        return address;
      }

      @Override
      public void close() {
        if (closed) {
          return;
        }
        closed = true;
        try {
          forward.close();
        } catch (IOException e) {
          // Nothing to recover: the local socket is gone either way.
        }
      }

      @Override
      public String toString() {
        return "port-forward " + address + " -> " + namespace + "/" + pod + ":" + remotePort;
      }
    };
  }
}
