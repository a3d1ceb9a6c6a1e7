package dev.geneva.udf;

/**
 * A user function that computes one column from other columns of the same row.
 *
 * <p>A UDF is a class, not a lambda: Geneva stores its class name in the column's metadata and
 * instantiates it, through its public no-argument constructor, in whichever JVM runs the work (the
 * caller's, a Ray worker's, a cluster job's). Implement {@link ScalarUdf} (one row at a time) or
 * {@link BatchUdf} (Arrow vectors in, one vector out); add {@link StatefulUdf} for a model or a
 * client that should be set up once per worker.
 */
public interface Udf {

  /**
   * Declares the UDF: its input columns, output type, version, resources and error policy. Called
   * once per instance; must return the same value every time.
   *
   * @return the declaration
   */
  UdfSpec spec();
}
