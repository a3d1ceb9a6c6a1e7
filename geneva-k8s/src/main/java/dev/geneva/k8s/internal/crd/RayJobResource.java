package dev.geneva.k8s.internal.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * KubeRay's {@code ray.io/v1 RayJob}, the fields Geneva writes and reads: only fields every
 * supported KubeRay (1.1 to 1.7) has in its {@code v1} schema.
 */
@Group("ray.io")
@Version("v1")
@Kind("RayJob")
@Plural("rayjobs")
@JsonIgnoreProperties(ignoreUnknown = true)
public class RayJobResource extends CustomResource<RayJobSpec, RayJobStatus> implements Namespaced {
  private static final long serialVersionUID = 1L;

  /** The CRD's name. */
  public static final String CRD_NAME = "rayjobs.ray.io";
}
