package dev.geneva.k8s.internal;

import dev.geneva.InvalidInputException;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.Map;
import java.util.regex.Pattern;

/** Validation of names, labels and quantities, with messages that name the field and the fix. */
public final class Checks {
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern DNS_1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");

  /**
   * The longest RayCluster name KubeRay accepts (1.4 and newer refuse to reconcile longer ones, so
   * that {@code <name>-serve-svc} stays a valid 63-character service name).
   */
  public static final int MAX_RAY_CLUSTER_NAME = 53;

  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern LABEL_NAME =
      Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");
  private static final Pattern QUANTITY =
      Pattern.compile(
          "[+]?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?[0-9]+))?");
  private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");

  private Checks() {}

  /**
   * Checks an RFC 1123 DNS label (names of clusters, namespaces, groups).
   *
   * @param field the option, e.g. {@code RayCluster.name}
   * @param value the value
   * @return the value
   */
  public static String dnsLabel(String field, String value) {
    if (value == null || value.length() > 63 || !DNS_LABEL.matcher(value).matches()) {
      throw new InvalidInputException(
          field
              + " \""
              + value
              + "\" is not a valid Kubernetes name: use at most 63 lower-case letters, digits"
              + " and '-', starting and ending with a letter or digit (RFC 1123), e.g."
              + " \"my-ray-cluster\"");
    }
    return value;
  }

  /**
   * Checks a RayCluster name the way KubeRay does: a DNS-1035 label (starts with a letter) of at
   * most {@value #MAX_RAY_CLUSTER_NAME} characters.
   *
   * @param field the option, e.g. {@code RayCluster.name}
   * @param value the value
   * @return the value
   */
  public static String rayClusterName(String field, String value) {
    String problem = null;
    if (value == null || value.isEmpty()) {
      problem = "is empty";
    } else if (value.length() > MAX_RAY_CLUSTER_NAME) {
      problem =
          "has " + value.length() + " characters, more than KubeRay's " + MAX_RAY_CLUSTER_NAME;
    } else if (!DNS_1035_LABEL.matcher(value).matches()) {
      problem =
          Character.isDigit(value.charAt(0)) ? "starts with a digit" : "is not a DNS-1035 label";
    }
    if (problem != null) {
      throw new InvalidInputException(
          field
              + " \""
              + value
              + "\" "
              + problem
              + ": KubeRay only reconciles RayClusters named by a DNS-1035 label of at most "
              + MAX_RAY_CLUSTER_NAME
              + " characters (lower-case letters, digits and '-', starting with a letter and"
              + " ending with a letter or digit), e.g. \"my-ray-cluster\"");
    }
    return value;
  }

  /**
   * Checks an RFC 1123 DNS subdomain (service accounts, priority classes, volumes).
   *
   * @param field the option
   * @param value the value
   * @return the value
   */
  public static String dnsSubdomain(String field, String value) {
    if (value == null || value.length() > 253 || !DNS_SUBDOMAIN.matcher(value).matches()) {
      throw new InvalidInputException(
          field
              + " \""
              + value
              + "\" is not a valid Kubernetes name: use lower-case letters, digits, '-' and '.',"
              + " at most 253 characters (RFC 1123 subdomain)");
    }
    return value;
  }

  /**
   * Checks label keys and values.
   *
   * @param field the option
   * @param labels the labels
   * @return the labels
   */
  public static Map<String, String> labels(String field, Map<String, String> labels) {
    if (labels == null) {
      throw new InvalidInputException(field + " is null: pass an empty map for none");
    }
    labels.forEach(
        (k, v) -> {
          labelKey(field, k);
          if (v == null || v.length() > 63 || !LABEL_NAME.matcher(v).matches()) {
            throw new InvalidInputException(
                field
                    + " value \""
                    + v
                    + "\" of key \""
                    + k
                    + "\" is not a valid label value: at most 63 letters, digits, '-', '_' and"
                    + " '.', starting and ending with a letter or digit");
          }
        });
    return labels;
  }

  /**
   * Checks a label key ({@code [prefix/]name}).
   *
   * @param field the option
   * @param key the key
   */
  public static void labelKey(String field, String key) {
    String bad = null;
    if (key == null || key.isEmpty()) {
      bad = "is empty";
    } else {
      int slash = key.indexOf('/');
      String prefix = slash < 0 ? null : key.substring(0, slash);
      String name = slash < 0 ? key : key.substring(slash + 1);
      if (prefix != null && (prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches())) {
        bad = "has an invalid prefix \"" + prefix + "\"";
      } else if (name.isEmpty() || name.length() > 63 || !LABEL_NAME.matcher(name).matches()) {
        bad = "has an invalid name part \"" + name + "\"";
      }
    }
    if (bad != null) {
      throw new InvalidInputException(
          field
              + " key \""
              + key
              + "\" "
              + bad
              + ": use [dns-prefix/]name with a name of at most 63 letters, digits, '-', '_' and"
              + " '.', e.g. \"geneva.lancedb.com/ray-head\"");
    }
  }

  /**
   * Checks an environment variable name.
   *
   * @param field the option
   * @param name the variable name
   * @return the name
   */
  public static String envName(String field, String name) {
    if (name == null || !ENV_NAME.matcher(name).matches()) {
      throw new InvalidInputException(
          field
              + " name \""
              + name
              + "\" is not a valid environment variable name: use letters, digits, '_', '-'"
              + " and '.', not starting with a digit");
    }
    return name;
  }

  /**
   * Checks a positive Kubernetes quantity such as {@code "4Gi"}, {@code "500m"} or {@code "2"}.
   *
   * @param field the option
   * @param value the quantity
   * @param example an example to show in the message
   * @return the quantity, trimmed
   */
  public static String positiveQuantity(String field, String value, String example) {
    String v = value == null ? null : value.trim();
    if (v == null || !QUANTITY.matcher(v).matches()) {
      throw new InvalidInputException(
          field
              + " \""
              + value
              + "\" is not a Kubernetes quantity: use a number with an optional suffix"
              + " (m, k, M, G, Ki, Mi, Gi, ...), e.g. \""
              + example
              + "\"");
    }
    BigDecimal amount = Quantity.getAmountInBytes(new Quantity(v));
    if (amount.signum() <= 0) {
      throw new InvalidInputException(
          field + " must be more than zero, got \"" + value + "\": e.g. \"" + example + "\"");
    }
    return v;
  }

  /**
   * The quantity as a number (bytes for memory, cores for CPU).
   *
   * @param value a valid quantity
   * @return its amount
   */
  public static BigDecimal amount(String value) {
    return Quantity.getAmountInBytes(new Quantity(value));
  }

  /**
   * Turns any text into an RFC 1123 label fragment: lower case, invalid characters to '-'.
   *
   * @param text the text, e.g. an OS user name
   * @param max the longest result
   * @return the sanitised text, possibly empty
   */
  public static String sanitize(String text, int max) {
    if (text == null) {
      return "";
    }
    String s = text.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]+", "-");
    s = s.replaceAll("-{2,}", "-").replaceAll("^-+", "");
    if (s.length() > max) {
      s = s.substring(0, max);
    }
    return s.replaceAll("-+$", "");
  }
}
