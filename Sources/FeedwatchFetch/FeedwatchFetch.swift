// FeedwatchFetch: placeholder until the stage lands.
