// FeedwatchAlert: placeholder until the stage lands.
