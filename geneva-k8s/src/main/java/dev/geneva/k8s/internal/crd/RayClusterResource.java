package dev.geneva.k8s.internal.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/** KubeRay's {@code ray.io/v1 RayCluster}, the fields Geneva writes and reads (1.1 to 1.7). */
@Group("ray.io")
@Version("v1")
@Kind("RayCluster")
@Plural("rayclusters")
@JsonIgnoreProperties(ignoreUnknown = true)
public class RayClusterResource extends CustomResource<RayClusterSpec, RayClusterStatus>
    implements Namespaced {
  private static final long serialVersionUID = 1L;

  /** The CRD's name. */
  public static final String CRD_NAME = "rayclusters.ray.io";
}
