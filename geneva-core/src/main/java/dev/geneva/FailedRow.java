package dev.geneva;

import java.util.Objects;

/**
 * A row whose UDF call failed and that the UDF's {@link dev.geneva.udf.ErrorPolicy} skipped (its
 * value is null), as Geneva records skipped rows with their error.
 *
 * @param rowAddress the row's Lance address: fragment id in the high 32 bits, row offset in the low
 * @param error the exception's class name
 * @param message the exception's message, cut to {@link #MAX_MESSAGE} characters (empty when none)
 */
public record FailedRow(long rowAddress, String error, String message) {

  /** The longest message kept. */
  public static final int MAX_MESSAGE = 500;

  /**
   * Checks and cuts the values.
   *
   * @param rowAddress the row's Lance address
   * @param error the exception's class name
   * @param message the exception's message (cut to {@link #MAX_MESSAGE} characters; null is empty)
   */
  public FailedRow {
    Objects.requireNonNull(error, "error");
    message = message == null ? "" : message;
    if (message.length() > MAX_MESSAGE) {
      message = message.substring(0, MAX_MESSAGE - 3) + "...";
    }
  }

  /**
   * The record of an exception thrown for a row.
   *
   * @param rowAddress the row's Lance address
   * @param error what the UDF threw
   * @return the record
   */
  public static FailedRow of(long rowAddress, Throwable error) {
    return new FailedRow(rowAddress, error.getClass().getName(), error.getMessage());
  }

  /**
   * The fragment the row is in.
   *
   * @return the fragment id
   */
  public int fragmentId() {
    return (int) (rowAddress >>> 32);
  }

  /**
   * The row's offset in its fragment.
   *
   * @return the offset
   */
  public long rowOffset() {
    return rowAddress & 0xFFFFFFFFL;
  }
}
