package dev.geneva.k8s.admin.internal;

import dev.geneva.InvalidInputException;
import java.util.regex.Pattern;

/** Kubernetes name checks with messages that name the field and how to fix it. Not API. */
public final class Names {
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private Names() {}

  /**
   * Checks an RFC 1123 label (namespaces): lowercase alphanumerics and '-', at most 63.
   *
   * @param field the field, for the message
   * @param value the value
   */
  public static void checkLabel(String field, String value) {
    if (value == null || value.length() > 63 || !LABEL.matcher(value).matches()) {
      throw new InvalidInputException(
          field
              + " '"
              + value
              + "' is not an RFC 1123 label: use at most 63 lowercase letters, digits and '-',"
              + " starting and ending with a letter or digit (e.g. \"geneva\")");
    }
  }

  /**
   * Checks an RFC 1123 subdomain (service accounts): labels joined by '.', at most 253.
   *
   * @param field the field, for the message
   * @param value the value
   */
  public static void checkSubdomain(String field, String value) {
    if (value == null || value.length() > 253 || !SUBDOMAIN.matcher(value).matches()) {
      throw new InvalidInputException(
          field
              + " '"
              + value
              + "' is not an RFC 1123 subdomain: use at most 253 lowercase letters, digits, '-'"
              + " and '.', starting and ending with a letter or digit (e.g. \"geneva-ray-runner\")");
    }
  }

  /**
   * Checks an RBAC object name (a path segment): not empty, not '.' or '..', no '/' or '%'.
   *
   * @param field the field, for the message
   * @param value the value
   */
  public static void checkRbacName(String field, String value) {
    if (value == null
        || value.isEmpty()
        || value.length() > 253
        || value.equals(".")
        || value.equals("..")
        || value.contains("/")
        || value.contains("%")) {
      throw new InvalidInputException(
          field
              + " '"
              + value
              + "' is not a valid RBAC object name: use 1 to 253 characters without '/' or '%'"
              + " (e.g. \"geneva-ray-runner-role\")");
    }
  }
}
