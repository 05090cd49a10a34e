"""Matrix-form derivatives with symbolic sizes (see api.py): nodes.py is the tree, algebra.py its
canonical constructors, printing.py and codegen.py its texts, rules.py and differential.py its calculus."""
