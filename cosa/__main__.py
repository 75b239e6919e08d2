from cosa.cli import main

main()
