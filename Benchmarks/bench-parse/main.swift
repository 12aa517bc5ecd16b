print("nothing to measure yet")
