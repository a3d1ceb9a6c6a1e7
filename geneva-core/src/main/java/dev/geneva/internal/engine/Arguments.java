package dev.geneva.internal.engine;

import dev.geneva.InvalidInputException;

/**
 * Checks of public-API arguments that fail with an {@link InvalidInputException} saying the fix.
 */
public final class Arguments {
  private Arguments() {}

  /**
   * The value, when it is not null.
   *
   * @param <T> the value's type
   * @param value the argument
   * @param what the argument, e.g. {@code "UdfSpec.Builder.output"}
   * @param fix what to pass instead, e.g. {@code "pass a type such as UdfTypes.int32()"}
   * @return the value
   * @throws InvalidInputException when the value is null
   */
  public static <T> T notNull(T value, String what, String fix) {
    if (value == null) {
      throw new InvalidInputException(what + " is null: " + fix);
    }
    return value;
  }
}
