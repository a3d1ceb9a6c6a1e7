package dev.geneva.udf;

import dev.geneva.InvalidInputException;

/**
 * What one running instance of a UDF needs. On Ray these become the task's or actor's resource
 * request; locally they are informational.
 *
 * @param cpus CPU cores, more than 0
 * @param gpus GPUs, 0 or more
 * @param memoryBytes memory in bytes, 0 for "not declared"
 */
public record Resources(double cpus, double gpus, long memoryBytes) {

  /** One CPU, no GPU, memory not declared. */
  public static final Resources DEFAULT = new Resources(1, 0, 0);

  /**
   * Checks the values.
   *
   * @param cpus CPU cores, more than 0
   * @param gpus GPUs, 0 or more
   * @param memoryBytes memory in bytes, 0 for "not declared"
   */
  public Resources {
    if (!(cpus > 0)) {
      throw new InvalidInputException("Resources.cpus must be more than 0, got " + cpus);
    }
    if (!(gpus >= 0)) {
      throw new InvalidInputException("Resources.gpus must be 0 or more, got " + gpus);
    }
    if (memoryBytes < 0) {
      throw new InvalidInputException(
          "Resources.memoryBytes must be 0 or more, got " + memoryBytes);
    }
  }

  /**
   * Creates a resource declaration.
   *
   * @param cpus CPU cores, more than 0
   * @param gpus GPUs, 0 or more
   * @param memoryBytes memory in bytes, 0 for "not declared"
   * @return the declaration
   */
  public static Resources of(double cpus, double gpus, long memoryBytes) {
    return new Resources(cpus, gpus, memoryBytes);
  }
}
