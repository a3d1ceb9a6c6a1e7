package dev.geneva.k8s.admin;

import dev.geneva.InvalidInputException;
import dev.geneva.k8s.admin.internal.Names;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;
import java.util.Objects;

/**
 * Who a Geneva client runs as, for {@link RayClusterManifests.Builder#clientSubject}: a user (an
 * IAM role mapped by an EKS access entry, a Google account), a group, or a Kubernetes service
 * account (a client running in a pod).
 */
public final class RbacSubject {
  private final String kind;
  private final String name;
  private final String namespace;

  private RbacSubject(String kind, String name, String namespace) {
    this.kind = kind;
    this.name = name;
    this.namespace = namespace;
  }

  /**
   * A user, as the API server authenticates it: e.g. {@code alice@example.com} on GKE, or the
   * username of an EKS access entry.
   *
   * @param name the user name
   * @return the subject
   */
  public static RbacSubject user(String name) {
    return new RbacSubject("User", nonBlank("user", name), null);
  }

  /**
   * A group: e.g. a Google group on GKE, or a Kubernetes group of an EKS access entry.
   *
   * @param name the group name
   * @return the subject
   */
  public static RbacSubject group(String name) {
    return new RbacSubject("Group", nonBlank("group", name), null);
  }

  /**
   * A Kubernetes service account, for a client that runs in a pod ({@code KubeAuth.inCluster()}).
   *
   * @param namespace the service account's namespace (an RFC 1123 label)
   * @param name the service account's name (an RFC 1123 subdomain)
   * @return the subject
   */
  public static RbacSubject serviceAccount(String namespace, String name) {
    Names.checkLabel("RbacSubject.serviceAccount namespace", namespace);
    Names.checkSubdomain("RbacSubject.serviceAccount name", name);
    return new RbacSubject("ServiceAccount", name, namespace);
  }

  /**
   * The subject's kind.
   *
   * @return {@code User}, {@code Group} or {@code ServiceAccount}
   */
  public String kind() {
    return kind;
  }

  /**
   * The subject's name.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * The fabric8 RBAC subject.
   *
   * @return a new subject
   */
  public Subject toSubject() {
    SubjectBuilder b = new SubjectBuilder().withKind(kind).withName(name);
    if (namespace == null) {
      b.withApiGroup("rbac.authorization.k8s.io");
    } else {
      b.withNamespace(namespace);
    }
    return b.build();
  }

  private static String nonBlank(String what, String name) {
    if (name == null || name.isBlank()) {
      throw new InvalidInputException(
          "RbacSubject." + what + " name is blank: pass the name the API server authenticates");
    }
    return name;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RbacSubject s
        && kind.equals(s.kind)
        && name.equals(s.name)
        && Objects.equals(namespace, s.namespace);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, name, namespace);
  }

  @Override
  public String toString() {
    return kind + ":" + (namespace == null ? "" : namespace + "/") + name;
  }
}
