"""The Flex (withflex.com) face, mounted under /flex: Flex's envelopes, ids, times, keys and errors."""
