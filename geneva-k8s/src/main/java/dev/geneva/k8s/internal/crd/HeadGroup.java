package dev.geneva.k8s.internal.crd;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code RayCluster.spec.headGroupSpec}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class HeadGroup {
  // Always serialised, even empty: KubeRay up to 1.3 requires it.
  @JsonInclude(JsonInclude.Include.ALWAYS)
  private Map<String, String> rayStartParams = new LinkedHashMap<>();

  private String serviceType;
  private PodTemplateSpec template;

  /**
   * The {@code ray start} parameters.
   *
   * @return the parameters
   */
  public Map<String, String> getRayStartParams() {
    return rayStartParams;
  }

  /**
   * Sets the parameters.
   *
   * @param rayStartParams the parameters
   */
  public void setRayStartParams(Map<String, String> rayStartParams) {
    this.rayStartParams = rayStartParams;
  }

  /**
   * The head service type.
   *
   * @return e.g. ClusterIP, or null
   */
  public String getServiceType() {
    return serviceType;
  }

  /**
   * Sets the head service type.
   *
   * @param serviceType the type
   */
  public void setServiceType(String serviceType) {
    this.serviceType = serviceType;
  }

  /**
   * The pod template.
   *
   * @return the template
   */
  public PodTemplateSpec getTemplate() {
    return template;
  }

  /**
   * Sets the pod template.
   *
   * @param template the template
   */
  public void setTemplate(PodTemplateSpec template) {
    this.template = template;
  }
}
