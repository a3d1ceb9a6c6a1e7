package dev.geneva.udf;

/**
 * A table function: turns source rows into any number of view rows. A UDTF runs inside a
 * materialized view ({@code Connection.createUdtfView}), never on a table in place. Implement
 * {@link ChunkerUdf} (one row to N rows) or {@link BatchUdtf} (a batch of N rows to M rows); add
 * {@link StatefulUdtf} for a model or a client that should be set up once per refresh.
 *
 * <p>Like a {@link Udf}, a UDTF is a public class with a public no-argument constructor: the view
 * stores its class name and recreates it for every refresh, in any process.
 */
public interface Udtf {

  /**
   * Declares the UDTF: input columns, output columns, version, resources and error policy. Must
   * return the same value every time.
   *
   * @return the declaration
   */
  UdtfSpec spec();
}
