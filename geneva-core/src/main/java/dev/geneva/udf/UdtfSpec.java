package dev.geneva.udf;

import dev.geneva.InvalidInputException;
import dev.geneva.internal.engine.Arguments;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * A UDTF's declaration: input columns, output columns, version, resources, error policy and whether
 * the view keeps the input columns.
 *
 * <pre>{@code
 * UdtfSpec.builder().inputs("text")
 *     .outputs(Field.nullable("chunk", ArrowType.Utf8.INSTANCE),
 *              Field.nullable("chunk_index", new ArrowType.Int(32, true)))
 *     .inheritInputs(false).version("1").build()
 * }</pre>
 *
 * <p>Change {@link #version()} when the function's results change; the view records it, and a
 * refresh with another version recomputes every view row.
 */
public final class UdtfSpec {
  private final List<String> inputs;
  private final List<Field> outputs;
  private final String version;
  private final Resources resources;
  private final ErrorPolicy errorPolicy;
  private final int batchSize;
  private final boolean inheritInputs;

  private UdtfSpec(Builder b) {
    this.inputs = List.copyOf(b.inputs);
    this.outputs = List.copyOf(b.outputs);
    this.version = b.version;
    this.resources = b.resources;
    this.errorPolicy = b.errorPolicy;
    this.batchSize = b.batchSize;
    this.inheritInputs = b.inheritInputs;
  }

  /**
   * Starts a declaration.
   *
   * @return a builder; {@code inputs} and {@code outputs} are required
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Copies this declaration into a builder.
   *
   * @return a builder holding this declaration
   */
  public Builder toBuilder() {
    return new Builder()
        .inputs(inputs)
        .outputs(outputs)
        .version(version)
        .resources(resources)
        .errorPolicy(errorPolicy)
        .batchSize(batchSize)
        .inheritInputs(inheritInputs);
  }

  /**
   * The source columns the UDTF reads, in the order a {@link BatchUdtf} receives them.
   *
   * @return the column names
   */
  public List<String> inputs() {
    return inputs;
  }

  /**
   * The view columns the UDTF produces, with their types.
   *
   * @return the fields
   */
  public List<Field> outputs() {
    return outputs;
  }

  /**
   * The version; defaults to "1".
   *
   * @return the version
   */
  public String version() {
    return version;
  }

  /**
   * What one instance needs.
   *
   * @return the resources
   */
  public Resources resources() {
    return resources;
  }

  /**
   * What happens when the UDTF throws.
   *
   * @return the policy
   */
  public ErrorPolicy errorPolicy() {
    return errorPolicy;
  }

  /**
   * Source rows per batch handed to the UDTF; 0 for the default (1,024).
   *
   * @return the batch size
   */
  public int batchSize() {
    return batchSize;
  }

  /**
   * Whether the view keeps the input columns (copied from the source row onto each of its view
   * rows); default true. The view's other selected columns are always kept.
   *
   * @return true to keep them
   */
  public boolean inheritInputs() {
    return inheritInputs;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UdtfSpec s
        && inputs.equals(s.inputs)
        && outputs.equals(s.outputs)
        && version.equals(s.version)
        && resources.equals(s.resources)
        && errorPolicy.equals(s.errorPolicy)
        && batchSize == s.batchSize
        && inheritInputs == s.inheritInputs;
  }

  @Override
  public int hashCode() {
    return Objects.hash(inputs, outputs, version, resources, errorPolicy, batchSize, inheritInputs);
  }

  @Override
  public String toString() {
    return "UdtfSpec{inputs="
        + inputs
        + ", outputs="
        + outputs.stream().map(f -> f.getName() + " " + f.getType()).toList()
        + ", version="
        + version
        + ", resources="
        + resources
        + ", errorPolicy="
        + errorPolicy
        + ", inheritInputs="
        + inheritInputs
        + "}";
  }

  /** Builds a {@link UdtfSpec}. */
  public static final class Builder {
    private List<String> inputs;
    private List<Field> outputs;
    private String version = "1";
    private Resources resources = Resources.DEFAULT;
    private ErrorPolicy errorPolicy = ErrorPolicy.failFast();
    private int batchSize;
    private boolean inheritInputs = true;

    private Builder() {}

    /**
     * Sets the input columns.
     *
     * @param columns one or more source columns
     * @return this builder
     */
    public Builder inputs(String... columns) {
      return inputs(List.of(columns));
    }

    /**
     * Sets the input columns.
     *
     * @param columns one or more source columns
     * @return this builder
     */
    public Builder inputs(List<String> columns) {
      this.inputs = List.copyOf(columns);
      return this;
    }

    /**
     * Sets the output columns.
     *
     * @param fields one or more fields, named as the view's columns
     * @return this builder
     */
    public Builder outputs(Field... fields) {
      return outputs(List.of(fields));
    }

    /**
     * Sets the output columns.
     *
     * @param fields one or more fields, named as the view's columns
     * @return this builder
     */
    public Builder outputs(List<Field> fields) {
      this.outputs = List.copyOf(fields);
      return this;
    }

    /**
     * Sets the version (default "1").
     *
     * @param version a non-blank version
     * @return this builder
     */
    public Builder version(String version) {
      this.version = version;
      return this;
    }

    /**
     * Sets the resources (default 1 CPU).
     *
     * @param resources the resources
     * @return this builder
     */
    public Builder resources(Resources resources) {
      this.resources =
          Arguments.notNull(
              resources,
              "UdtfSpec.Builder.resources",
              "leave it out for the default, or pass Resources.builder()...build()");
      return this;
    }

    /**
     * Sets the error policy (default fail fast).
     *
     * @param errorPolicy the policy
     * @return this builder
     */
    public Builder errorPolicy(ErrorPolicy errorPolicy) {
      this.errorPolicy =
          Arguments.notNull(
              errorPolicy,
              "UdtfSpec.Builder.errorPolicy",
              "leave it out to fail fast, or pass e.g. ErrorPolicy.retryAll()");
      return this;
    }

    /**
     * Sets the source rows per batch (default 1,024).
     *
     * @param batchSize 0 for the default, or a positive number
     * @return this builder
     */
    public Builder batchSize(int batchSize) {
      if (batchSize < 0) {
        throw new InvalidInputException("UdtfSpec.batchSize must be 0 or more, got " + batchSize);
      }
      this.batchSize = batchSize;
      return this;
    }

    /**
     * Sets whether the view keeps the input columns (default true).
     *
     * @param inheritInputs false to leave the inputs out of the view
     * @return this builder
     */
    public Builder inheritInputs(boolean inheritInputs) {
      this.inheritInputs = inheritInputs;
      return this;
    }

    /**
     * Builds the declaration.
     *
     * @return the immutable declaration
     * @throws InvalidInputException when inputs or outputs are missing or repeated, or the version
     *     is blank
     */
    public UdtfSpec build() {
      if (inputs == null || inputs.isEmpty()) {
        throw new InvalidInputException(
            "UdtfSpec.inputs is required: name at least one source column, e.g. inputs(\"text\")");
      }
      if (inputs.stream().anyMatch(c -> c == null || c.isBlank())) {
        throw new InvalidInputException("UdtfSpec.inputs contains a blank column name");
      }
      if (inputs.stream().distinct().count() != inputs.size()) {
        throw new InvalidInputException("UdtfSpec.inputs names a column twice: " + inputs);
      }
      if (outputs == null || outputs.isEmpty()) {
        throw new InvalidInputException(
            "UdtfSpec.outputs is required: e.g. outputs(Field.nullable(\"chunk\","
                + " ArrowType.Utf8.INSTANCE))");
      }
      Set<String> names = new HashSet<>();
      List<String> repeated = new ArrayList<>();
      for (Field f : outputs) {
        if (f == null || f.getName() == null || f.getName().isBlank()) {
          throw new InvalidInputException("UdtfSpec.outputs contains an unnamed field");
        }
        if (!names.add(f.getName())) {
          repeated.add(f.getName());
        }
      }
      if (!repeated.isEmpty()) {
        throw new InvalidInputException("UdtfSpec.outputs names a column twice: " + repeated);
      }
      if (version == null || version.isBlank()) {
        throw new InvalidInputException("UdtfSpec.version must not be blank");
      }
      return new UdtfSpec(this);
    }
  }
}
