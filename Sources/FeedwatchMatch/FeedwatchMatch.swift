// FeedwatchMatch: placeholder until the stage lands.
