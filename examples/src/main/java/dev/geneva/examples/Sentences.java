package dev.geneva.examples;

import java.util.List;
import java.util.Locale;

/**
 * Deterministic, varied English sentences on twelve topics (football, cooking, markets, weather,
 * astronomy, health, music, software, travel, gardening, pets, school): sentence {@code i} is the
 * same on every run and machine, and sentences on one topic share its vocabulary, so the nearest
 * neighbours of a query by a sentence embedding are meaningful. About 1.1 million distinct
 * sentences.
 */
public final class Sentences {
  private record Topic(
      String name, List<String> subjects, List<String> objects, List<String> tails) {}

  private static final List<String> VERBS =
      List.of(
          "talked about",
          "wrote a long post about",
          "could not stop thinking about",
          "complained about",
          "was excited about",
          "explained",
          "asked a question about",
          "took notes on",
          "gave a short speech about",
          "argued with a friend about",
          "read an article about",
          "was surprised by");

  private static final List<String> OPENERS =
      List.of(
          "",
          "Last week, ",
          "On Monday, ",
          "According to the local paper, ",
          "Once again, ",
          "In a short message, ",
          "This afternoon, ",
          "For the third time, ");

  private static final List<Topic> TOPICS =
      List.of(
          new Topic(
              "football",
              List.of(
                  "the striker",
                  "our goalkeeper",
                  "the coach",
                  "a young midfielder",
                  "the team captain",
                  "the referee"),
              List.of(
                  "the late winning goal",
                  "a penalty saved in extra time",
                  "the championship final",
                  "the derby against their old rivals",
                  "a hat-trick in the second half",
                  "the tense semi-final",
                  "a brilliant free kick",
                  "the new transfer signing"),
              List.of(
                  "after the match",
                  "in front of a sold-out stadium",
                  "before kick-off on Saturday",
                  "in the post-game interview",
                  "at the training ground")),
          new Topic(
              "cooking",
              List.of(
                  "the chef",
                  "my grandmother",
                  "a home cook",
                  "the pastry baker",
                  "our neighbour",
                  "the food blogger"),
              List.of(
                  "a slow-cooked tomato sauce",
                  "the sourdough bread recipe",
                  "fresh basil and garlic",
                  "how long to roast the vegetables",
                  "a spicy curry with coconut milk",
                  "the chocolate cake for dessert",
                  "seasoning the soup with herbs",
                  "kneading the pizza dough"),
              List.of(
                  "in the kitchen",
                  "before dinner",
                  "while the oven was heating",
                  "for the family lunch",
                  "on a cooking show")),
          new Topic(
              "markets",
              List.of(
                  "the investor",
                  "a bank analyst",
                  "the fund manager",
                  "the central bank",
                  "a stock trader",
                  "the finance minister"),
              List.of(
                  "the interest rate cut",
                  "falling bond yields",
                  "the stock market rally",
                  "high inflation figures",
                  "the quarterly earnings report",
                  "the weak currency",
                  "rising oil prices",
                  "a possible recession"),
              List.of(
                  "on Wall Street",
                  "before the markets opened",
                  "in the financial news",
                  "at the shareholder meeting",
                  "during the trading session")),
          new Topic(
              "weather",
              List.of(
                  "the forecaster",
                  "a farmer",
                  "the weather service",
                  "the pilot",
                  "my uncle",
                  "the local radio"),
              List.of(
                  "the heavy rain and thunderstorms",
                  "a cold front from the north",
                  "the heatwave this week",
                  "snow on the mountain roads",
                  "strong winds along the coast",
                  "the morning fog",
                  "a hurricane warning",
                  "the dry summer"),
              List.of(
                  "for the weekend",
                  "on the evening forecast",
                  "across the region",
                  "before the storm arrived",
                  "this morning")),
          new Topic(
              "astronomy",
              List.of(
                  "the astronomer",
                  "the space agency",
                  "an astronaut",
                  "the telescope team",
                  "a physics student",
                  "the mission control"),
              List.of(
                  "a new exoplanet orbiting a distant star",
                  "the rocket launch to the moon",
                  "images of a spiral galaxy",
                  "the rover landing on Mars",
                  "a black hole at the centre of the galaxy",
                  "the solar eclipse",
                  "a comet passing near Earth",
                  "the space station's orbit"),
              List.of(
                  "at the observatory",
                  "during the night sky watch",
                  "in a science journal",
                  "at the press briefing",
                  "after the launch")),
          new Topic(
              "health",
              List.of(
                  "the doctor",
                  "a nurse",
                  "the patient",
                  "the hospital",
                  "a medical researcher",
                  "the pharmacist"),
              List.of(
                  "the new flu vaccine",
                  "treatment for high blood pressure",
                  "the side effects of the medicine",
                  "a clinical trial for cancer therapy",
                  "getting enough sleep",
                  "the symptoms of the infection",
                  "recovery after the surgery",
                  "a healthy diet and exercise"),
              List.of(
                  "at the clinic",
                  "during the appointment",
                  "in the emergency room",
                  "at a medical conference",
                  "after the check-up")),
          new Topic(
              "music",
              List.of(
                  "the guitarist",
                  "the orchestra",
                  "a young pianist",
                  "the singer",
                  "the band's drummer",
                  "the music critic"),
              List.of(
                  "the new album",
                  "a jazz concert",
                  "the symphony by Beethoven",
                  "the lyrics of the song",
                  "the world tour",
                  "a piano sonata",
                  "the sold-out rock festival",
                  "the melody of the chorus"),
              List.of(
                  "on stage",
                  "in the recording studio",
                  "at the concert hall",
                  "during rehearsal",
                  "on the radio")),
          new Topic(
              "software",
              List.of(
                  "the programmer",
                  "our backend engineer",
                  "the open-source maintainer",
                  "a junior developer",
                  "the security team",
                  "the database administrator"),
              List.of(
                  "a memory leak in the server",
                  "the slow database query",
                  "the bug in the login code",
                  "upgrading the Java version",
                  "the failing unit tests",
                  "a new release of the library",
                  "the outage of the cloud service",
                  "refactoring the legacy code"),
              List.of(
                  "in the code review",
                  "during the sprint",
                  "on the issue tracker",
                  "after the deployment",
                  "at the stand-up meeting")),
          new Topic(
              "travel",
              List.of(
                  "the tourist",
                  "a backpacker",
                  "the travel agent",
                  "our tour guide",
                  "the airline",
                  "a hotel manager"),
              List.of(
                  "the delayed flight to Rome",
                  "a beach holiday in Greece",
                  "the train journey through the Alps",
                  "booking a cheap hotel room",
                  "the lost luggage at the airport",
                  "visiting museums in Paris",
                  "a road trip along the coast",
                  "the passport and visa rules"),
              List.of(
                  "at the airport",
                  "during the summer holidays",
                  "on the travel blog",
                  "at the hotel reception",
                  "before the trip")),
          new Topic(
              "gardening",
              List.of(
                  "the gardener",
                  "my aunt",
                  "the allotment club",
                  "a botanist",
                  "the florist",
                  "our landlord"),
              List.of(
                  "planting tomatoes in spring",
                  "the roses in the flower bed",
                  "pruning the apple trees",
                  "weeds in the vegetable patch",
                  "watering the lawn",
                  "compost for the soil",
                  "the tulip bulbs",
                  "slugs eating the lettuce"),
              List.of(
                  "in the back garden",
                  "at the garden centre",
                  "after the rain",
                  "in the greenhouse",
                  "early in the season")),
          new Topic(
              "pets",
              List.of(
                  "the vet",
                  "a dog owner",
                  "the animal shelter",
                  "my sister",
                  "the pet shop",
                  "a cat lover"),
              List.of(
                  "the puppy chewing the furniture",
                  "a kitten that would not stop meowing",
                  "the dog's daily walk",
                  "feeding the cat",
                  "the parrot learning new words",
                  "adopting a rescue dog",
                  "the hamster's cage",
                  "training the dog to sit"),
              List.of(
                  "at the park",
                  "at the vet's office",
                  "at home",
                  "on a pet forum",
                  "every morning")),
          new Topic(
              "school",
              List.of(
                  "the teacher",
                  "a student",
                  "the head teacher",
                  "the parents",
                  "the maths tutor",
                  "a university professor"),
              List.of(
                  "the final exams",
                  "homework in algebra",
                  "the history essay",
                  "the new school timetable",
                  "a science project on volcanoes",
                  "learning to read",
                  "the class trip to the museum",
                  "grades on the report card"),
              List.of(
                  "in the classroom",
                  "at the parents' evening",
                  "before the lesson",
                  "in the library",
                  "after school")));

  private Sentences() {}

  /**
   * Sentence number {@code i}.
   *
   * @param i any number
   * @return the sentence, the same for the same number
   */
  public static String of(long i) {
    long x = mix(i);
    Topic t = TOPICS.get(pick(x, TOPICS.size()));
    String subject = t.subjects().get(pick(x >>> 8, t.subjects().size()));
    String verb = VERBS.get(pick(x >>> 16, VERBS.size()));
    String object = t.objects().get(pick(x >>> 24, t.objects().size()));
    String tail = t.tails().get(pick(x >>> 32, t.tails().size()));
    String opener = OPENERS.get(pick(x >>> 48, OPENERS.size()));
    return capitalize(
        opener
            + switch (pick(x >>> 40, 4)) {
              case 0 -> subject + " " + verb + " " + object + " " + tail + ".";
              case 1 -> tail + ", " + subject + " " + verb + " " + object + ".";
              case 2 -> "it seems " + subject + " " + verb + " " + object + " " + tail + ".";
              default -> "everyone heard that " + subject + " " + verb + " " + object + ".";
            });
  }

  /**
   * The topic of sentence {@code i}, for checking neighbours.
   *
   * @param i any number
   * @return one of the twelve topic names, e.g. {@code "football"}
   */
  public static String topic(long i) {
    return TOPICS.get(pick(mix(i), TOPICS.size())).name();
  }

  private static long mix(long i) {
    long z = i * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static int pick(long bits, int n) {
    return (int) Math.floorMod(bits & 0xFF, (long) n);
  }

  private static String capitalize(String s) {
    return s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1);
  }
}
