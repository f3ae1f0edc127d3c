from paradiplomacy.cli import main

main()
