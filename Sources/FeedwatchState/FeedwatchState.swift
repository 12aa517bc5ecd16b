// FeedwatchState: placeholder until the stage lands.
