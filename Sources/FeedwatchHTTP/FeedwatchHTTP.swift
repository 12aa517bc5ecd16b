// FeedwatchHTTP: placeholder until the stage lands.
