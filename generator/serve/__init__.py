"""The preview server of `topicsite serve`: HTTP, the build state, live reload and the error overlay."""
