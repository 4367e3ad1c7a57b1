// Placeholder until the behaviours land.
int main() { return 0; }
