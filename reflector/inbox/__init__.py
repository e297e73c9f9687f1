"""Verified platform events in: the one `Action` union platforms translate into, the inbox
that stores each event once and applies it, and the watch on failing webhook signatures."""
