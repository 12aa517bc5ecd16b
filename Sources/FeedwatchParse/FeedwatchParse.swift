// FeedwatchParse: placeholder until the stage lands.
