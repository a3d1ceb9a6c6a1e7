package dev.geneva.udf;

import dev.geneva.InvalidInputException;
import dev.geneva.internal.engine.Arguments;
import java.util.List;
import java.util.Objects;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * A UDF's declaration: input columns, output type, version, resources and error policy.
 *
 * <pre>{@code
 * UdfSpec.builder().inputs("text").output(UdfTypes.int32()).version("1").build()
 * }</pre>
 *
 * <p>Change {@link #version()} whenever the function's results change: checkpoints are keyed by it,
 * so a new version recomputes instead of reusing old results.
 */
public final class UdfSpec {
  private final List<String> inputs;
  private final Field output;
  private final String version;
  private final Resources resources;
  private final ErrorPolicy errorPolicy;
  private final int batchSize;
  private final boolean unpacked;

  private UdfSpec(Builder b) {
    this.inputs = List.copyOf(b.inputs);
    this.output = b.output;
    this.version = b.version;
    this.resources = b.resources;
    this.errorPolicy = b.errorPolicy;
    this.batchSize = b.batchSize;
    this.unpacked = b.unpacked;
  }

  /**
   * Starts a declaration.
   *
   * @return a builder; {@code inputs} and {@code output} are required
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
    Builder b = new Builder().inputs(inputs).output(output);
    b.unpacked = unpacked;
    return b.version(version).resources(resources).errorPolicy(errorPolicy).batchSize(batchSize);
  }

  /**
   * The input columns, in the order a {@link BatchUdf} receives them.
   *
   * @return the column names
   */
  public List<String> inputs() {
    return inputs;
  }

  /**
   * The output type as an Arrow field (its name is replaced by the column's). For an {@linkplain
   * #unpacked() unpacked} UDF, a struct whose fields are the columns.
   *
   * @return the field
   */
  public Field output() {
    return output;
  }

  /**
   * Whether the output struct's fields are stored as top-level columns of their own, computed and
   * committed together (declared with {@link Builder#outputColumns(Field...)}), rather than as one
   * struct column.
   *
   * @return true for a UDF that computes several columns
   */
  public boolean unpacked() {
    return unpacked;
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
   * What happens when the UDF throws.
   *
   * @return the policy
   */
  public ErrorPolicy errorPolicy() {
    return errorPolicy;
  }

  /**
   * Rows per batch handed to the UDF; 0 leaves it to the backfill options.
   *
   * @return the batch size
   */
  public int batchSize() {
    return batchSize;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UdfSpec s
        && inputs.equals(s.inputs)
        && output.equals(s.output)
        && version.equals(s.version)
        && resources.equals(s.resources)
        && errorPolicy.equals(s.errorPolicy)
        && batchSize == s.batchSize
        && unpacked == s.unpacked;
  }

  @Override
  public int hashCode() {
    return Objects.hash(inputs, output, version, resources, errorPolicy, batchSize, unpacked);
  }

  @Override
  public String toString() {
    return "UdfSpec{inputs="
        + inputs
        + (unpacked ? ", outputColumns=" : ", output=")
        + (unpacked ? output.getChildren().stream().map(Field::getName).toList() : output.getType())
        + ", version="
        + version
        + ", resources="
        + resources
        + ", errorPolicy="
        + errorPolicy
        + "}";
  }

  /** Builds a {@link UdfSpec}. */
  public static final class Builder {
    private List<String> inputs;
    private Field output;
    private String version = "1";
    private Resources resources = Resources.DEFAULT;
    private ErrorPolicy errorPolicy = ErrorPolicy.failFast();
    private int batchSize;
    private boolean unpacked;

    private Builder() {}

    /**
     * Sets the input columns.
     *
     * @param columns one or more column names of the table
     * @return this builder
     */
    public Builder inputs(String... columns) {
      return inputs(List.of(columns));
    }

    /**
     * Sets the input columns.
     *
     * @param columns one or more column names of the table
     * @return this builder
     */
    public Builder inputs(List<String> columns) {
      this.inputs = List.copyOf(columns);
      return this;
    }

    /**
     * Sets the output type, usually one of {@link UdfTypes}; {@code Table.addColumns} refuses a
     * type Geneva cannot store. Wrap it in {@link UdfTypes#notNull(Field)} to declare that every
     * computed row has a value.
     *
     * @param field the output field
     * @return this builder
     */
    public Builder output(Field field) {
      this.output =
          Arguments.notNull(
              field, "UdfSpec.Builder.output", "pass a type such as UdfTypes.int32()");
      this.unpacked = false;
      return this;
    }

    /**
     * Declares several output columns, computed together: the UDF returns a struct of these fields
     * (a scalar UDF a {@code java.util.Map} of field name to value, a batch UDF fills a {@code
     * StructVector}), and {@code Table.addColumns} stores each field as a top-level column of its
     * own, named as the field. One backfill computes and commits them all. Replaces {@link
     * #output(Field)}.
     *
     * <pre>{@code
     * .outputColumns(UdfTypes.named("words", UdfTypes.int64()),
     *                UdfTypes.named("lang", UdfTypes.utf8()))
     * }</pre>
     *
     * @param columns one or more fields with distinct names, each a type a struct field can have
     * @return this builder
     */
    public Builder outputColumns(Field... columns) {
      if (columns == null || columns.length == 0) {
        throw new InvalidInputException(
            "UdfSpec.outputColumns needs at least one field, e.g."
                + " outputColumns(UdfTypes.named(\"words\", UdfTypes.int64()))");
      }
      for (Field f : columns) {
        Arguments.notNull(
            f,
            "a field of UdfSpec.Builder.outputColumns",
            "pass named fields such as UdfTypes.named(\"words\", UdfTypes.int64())");
      }
      this.output = UdfTypes.struct(columns);
      this.unpacked = true;
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
              "UdfSpec.Builder.resources",
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
              "UdfSpec.Builder.errorPolicy",
              "leave it out to fail fast, or pass e.g. ErrorPolicy.retryAll()");
      return this;
    }

    /**
     * Sets the rows per batch handed to the UDF (default: the backfill's batch size).
     *
     * @param batchSize 0 for the default, or a positive number
     * @return this builder
     */
    public Builder batchSize(int batchSize) {
      if (batchSize < 0) {
        throw new InvalidInputException("UdfSpec.batchSize must be 0 or more, got " + batchSize);
      }
      this.batchSize = batchSize;
      return this;
    }

    /**
     * Builds the declaration.
     *
     * @return the immutable declaration
     * @throws InvalidInputException when inputs or output are missing or the version is blank
     */
    public UdfSpec build() {
      if (inputs == null || inputs.isEmpty()) {
        throw new InvalidInputException(
            "UdfSpec.inputs is required: name at least one input column, e.g. inputs(\"text\")");
      }
      for (String c : inputs) {
        if (c == null || c.isBlank()) {
          throw new InvalidInputException("UdfSpec.inputs contains a blank column name");
        }
      }
      if (inputs.stream().distinct().count() != inputs.size()) {
        throw new InvalidInputException("UdfSpec.inputs names a column twice: " + inputs);
      }
      if (output == null) {
        throw new InvalidInputException(
            "UdfSpec.output is required: e.g. output(UdfTypes.int32())");
      }
      if (version == null || version.isBlank()) {
        throw new InvalidInputException("UdfSpec.version must not be blank");
      }
      return new UdfSpec(this);
    }
  }
}
