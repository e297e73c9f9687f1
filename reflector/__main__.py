from reflector.cli import main

main()
